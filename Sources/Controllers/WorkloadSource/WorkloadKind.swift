import KubeCore

/// The workload kinds the workload source watches, each with its own pure deriver.
public enum WorkloadKind: String, Sendable, Hashable, CaseIterable, Codable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"

    /// The API resource watched.
    public var descriptor: ResourceDescriptor {
        switch self {
        case .deployment: .deployments
        case .statefulSet: .statefulSets
        case .daemonSet: .daemonSets
        }
    }

    /// `deployment`: the kind in event types (`dev.pacer.deployment.revision`).
    public var typeName: String { rawValue.lowercased() }

    /// The CloudEvent type of one kind of fact about this workload kind.
    public func eventType(_ fact: WorkloadFact) -> String { "dev.pacer.\(typeName).\(fact.rawValue)" }
}

/// The facts every workload deriver emits (the suffix of the CloudEvent type and of the event id).
public enum WorkloadFact: String, Sendable, Hashable, CaseIterable {
    case created
    case revision
    case rolloutCompleted = "rollout.completed"
    case rolloutFailed = "rollout.failed"
    case availabilityLost = "availability.lost"
    case availabilityRestored = "availability.restored"
    case deleted
}
