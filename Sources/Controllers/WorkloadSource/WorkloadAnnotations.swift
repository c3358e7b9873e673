/// The annotation and label keys of the zero-integration contract (see docs/deployment-source.md).
public enum WorkloadAnnotations {
    public static let app = "pacer.dev/app"
    public static let version = "pacer.dev/version"
    public static let environment = "pacer.dev/environment"
    public static let team = "pacer.dev/team"
    public static let commit = "pacer.dev/commit"
    public static let commitTime = "pacer.dev/commit-time"
    public static let repository = "pacer.dev/repository"
    /// `"false"` on a workload or its namespace opts out: nothing is emitted.
    public static let track = "pacer.dev/track"

    static let partOf = "app.kubernetes.io/part-of"
    static let appName = "app.kubernetes.io/name"
    static let appVersion = "app.kubernetes.io/version"
    static let keptnApp = "keptn.sh/app"
    static let keptnVersion = "keptn.sh/version"
    /// Seconds a StatefulSet or DaemonSet rollout may take before it counts as failed (they have no
    /// `progressDeadlineSeconds` of their own).
    public static let progressDeadline = "pacer.dev/progress-deadline-seconds"
    /// Set by the API server on DaemonSets: the generation of the current pod template (bumped when it changes).
    public static let daemonSetTemplateGeneration = "deprecated.daemonset.template.generation"
    /// Set by the Deployment controller; the revision Pacer keys its events on.
    public static let revision = "deployment.kubernetes.io/revision"
}
