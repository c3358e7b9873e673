import KubeCore

/// The workload kinds the workload source watches, each with its own pure deriver.
public enum WorkloadKind: String, Sendable, Hashable, CaseIterable, Codable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"
    /// Argo CD `Application` (`argoproj.io/v1alpha1`): a successful sync to a new git revision is a deployment.
    case argoCDApplication = "Application"
    /// Flux `Kustomization` (`kustomize.toolkit.fluxcd.io/v1`): a new applied revision with `Ready=True`.
    case fluxKustomization = "Kustomization"
    /// Flux `HelmRelease` (`helm.toolkit.fluxcd.io/v2`): a new applied revision with `Ready=True`.
    case fluxHelmRelease = "HelmRelease"
    /// Argo Rollouts `Rollout` (`argoproj.io/v1alpha1`): a canary or blue-green rollout that reaches `Healthy`.
    case argoRollout = "Rollout"
    /// Knative Serving `Service` (`serving.knative.dev/v1`): a new revision that becomes ready.
    case knativeService = "Service"

    /// The API resource watched.
    public var descriptor: ResourceDescriptor {
        switch self {
        case .deployment: .deployments
        case .statefulSet: .statefulSets
        case .daemonSet: .daemonSets
        case .argoCDApplication:
            ResourceDescriptor(group: "argoproj.io", version: "v1alpha1", plural: "applications", kind: "Application", namespaced: true)
        case .fluxKustomization:
            ResourceDescriptor(group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations", kind: "Kustomization", namespaced: true)
        case .fluxHelmRelease:
            ResourceDescriptor(group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases", kind: "HelmRelease", namespaced: true)
        case .argoRollout:
            ResourceDescriptor(group: "argoproj.io", version: "v1alpha1", plural: "rollouts", kind: "Rollout", namespaced: true)
        case .knativeService:
            ResourceDescriptor(group: "serving.knative.dev", version: "v1", plural: "services", kind: "Service", namespaced: true)
        }
    }

    /// Served only when its CustomResourceDefinition is installed: the source checks (and re-checks) that its API is
    /// served before watching it.
    public var isCustomResource: Bool {
        switch self {
        case .deployment, .statefulSet, .daemonSet: false
        case .argoCDApplication, .fluxKustomization, .fluxHelmRelease, .argoRollout, .knativeService: true
        }
    }

    /// `deployment`: the kind in event types (`dev.pacer.deployment.revision`); `knativeservice` for a Knative
    /// Service (not to be read as a core Service).
    public var typeName: String {
        switch self {
        case .knativeService: "knativeservice"
        default: rawValue.lowercased()
        }
    }

    /// The CloudEvent type of one kind of fact about this workload kind.
    public func eventType(_ fact: WorkloadFact) -> String { "dev.pacer.\(typeName).\(fact.rawValue)" }
}

/// The facts every workload deriver emits (the suffix of the CloudEvent type and of the event id).
public enum WorkloadFact: String, Sendable, Hashable, CaseIterable {
    case created
    case revision
    /// A new revision that only restarted the pods (`kubectl rollout restart`; Deployments), not a deployment.
    case restarted
    case rolloutCompleted = "rollout.completed"
    case rolloutFailed = "rollout.failed"
    case availabilityLost = "availability.lost"
    case availabilityRestored = "availability.restored"
    case deleted
}
