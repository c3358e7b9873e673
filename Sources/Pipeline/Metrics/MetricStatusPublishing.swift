import OperatorAPI

/// Writes a MetricDefinition's status (PacerApp's Kubernetes adapter implements it).
public protocol MetricStatusPublishing: Sendable {
    func publish(namespace: String, name: String, status: MetricDefinitionStatus) async throws
}
