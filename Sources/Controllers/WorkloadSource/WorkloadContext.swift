import Foundation
import KubeCore
import PacerCore

/// The application context of a workload (Deployment, StatefulSet, DaemonSet), resolved from its annotations and
/// labels, its pod template's, and its namespace's (the fallback order is in docs/deployment-source.md).
public struct WorkloadContext: Sendable, Hashable {
    public var app: String
    public var version: String?
    public var environment: String
    public var team: String?
    public var commit: String?
    /// `pacer.dev/commit-time` parsed as RFC 3339 (nil when absent or invalid).
    public var commitTime: Date?
    public var repository: String?
    /// False when `pacer.dev/track: "false"` is set on the workload, its pod template or its namespace.
    public var tracked: Bool
    /// Problems found while resolving (e.g. an invalid commit time); the caller logs them.
    public var warnings: [String]

    public init(
        app: String, version: String? = nil, environment: String, team: String? = nil, commit: String? = nil,
        commitTime: Date? = nil, repository: String? = nil, tracked: Bool = true, warnings: [String] = []
    ) {
        self.app = app
        self.version = version
        self.environment = environment
        self.team = team
        self.commit = commit
        self.commitTime = commitTime
        self.repository = repository
        self.tracked = tracked
        self.warnings = warnings
    }

    /// Resolves the context of `deployment`; `namespace` is its Namespace object when known.
    public static func resolve(deployment: Deployment, namespace: Namespace?) -> WorkloadContext {
        resolve(metadata: deployment.metadata, template: deployment.spec?.template, namespace: namespace)
    }

    /// Resolves the context of a workload from its metadata and pod template; `namespace` is its Namespace object
    /// when known. `namespaceName` replaces the object's own namespace as the environment's last fallback (a GitOps
    /// object's destination namespace).
    public static func resolve(
        metadata meta: ObjectMeta, template podTemplate: Deployment.PodTemplate?, namespace: Namespace?, namespaceName: String? = nil
    ) -> WorkloadContext {
        let template = podTemplate?.metadata
        let namespaceAnnotations = namespace?.metadata.annotations ?? [:]
        let annotationSources = [meta.annotations ?? [:], template?.annotations ?? [:]]
        let labelSources = [meta.labels ?? [:], template?.labels ?? [:]]

        func annotation(_ key: String) -> String? {
            for source in annotationSources { if let value = nonEmpty(source[key]) { return value } }
            return nil
        }
        func label(_ key: String) -> String? {
            for source in labelSources { if let value = nonEmpty(source[key]) { return value } }
            return nil
        }
        func labelOrAnnotation(_ key: String) -> String? { label(key) ?? annotation(key) }

        let name = meta.name ?? ""
        let app =
            annotation(WorkloadAnnotations.app) ?? label(WorkloadAnnotations.partOf) ?? label(WorkloadAnnotations.appName)
            ?? labelOrAnnotation(WorkloadAnnotations.keptnApp) ?? name
        let version =
            annotation(WorkloadAnnotations.version) ?? labelOrAnnotation(WorkloadAnnotations.appVersion)
            ?? labelOrAnnotation(WorkloadAnnotations.keptnVersion)
            ?? podTemplate?.spec?.containers?.first?.image.flatMap(imageTag)
        let namespaceName = namespaceName ?? meta.namespace ?? namespace?.metadata.name ?? ""
        let environment =
            annotation(WorkloadAnnotations.environment) ?? nonEmpty(namespaceAnnotations[WorkloadAnnotations.environment]) ?? namespaceName
        let team = annotation(WorkloadAnnotations.team) ?? nonEmpty(namespaceAnnotations[WorkloadAnnotations.team])

        var warnings: [String] = []
        var commitTime: Date?
        if let text = annotation(WorkloadAnnotations.commitTime) {
            commitTime = RFC3339.parse(text)
            if commitTime == nil {
                warnings.append("\(WorkloadAnnotations.commitTime) on \(namespaceName)/\(name) is not an RFC 3339 time: \(text)")
            }
        }
        let optedOut =
            annotationSources.contains { isFalse($0[WorkloadAnnotations.track]) } || isFalse(namespaceAnnotations[WorkloadAnnotations.track])
        return WorkloadContext(
            app: app, version: version, environment: environment, team: team, commit: annotation(WorkloadAnnotations.commit),
            commitTime: commitTime, repository: annotation(WorkloadAnnotations.repository), tracked: !optedOut, warnings: warnings)
    }

    /// The tag of an image reference (`registry:5000/app:v2` → `v2`); nil without a tag.
    public static func imageTag(_ image: String) -> String? {
        let withoutDigest = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
        let lastComponent = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        guard let colon = lastComponent.lastIndex(of: ":") else { return nil }
        return nonEmpty(String(lastComponent[lastComponent.index(after: colon)...]))
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private static func isFalse(_ value: String?) -> Bool {
        value?.trimmingCharacters(in: .whitespaces).lowercased() == "false"
    }
}
