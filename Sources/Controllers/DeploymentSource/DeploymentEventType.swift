/// The CloudEvent types the Deployment deriver emits (`dev.pacer.deployment.*`).
public enum DeploymentEventType: String, Sendable, CaseIterable {
    case created = "dev.pacer.deployment.created"
    case revision = "dev.pacer.deployment.revision"
    case rolloutCompleted = "dev.pacer.deployment.rollout.completed"
    case rolloutFailed = "dev.pacer.deployment.rollout.failed"
    case availabilityLost = "dev.pacer.deployment.availability.lost"
    case availabilityRestored = "dev.pacer.deployment.availability.restored"
    case deleted = "dev.pacer.deployment.deleted"

    /// The kind of change as used in event ids (`rollout.completed`).
    public var kind: String { String(rawValue.dropFirst("dev.pacer.deployment.".count)) }
}
