/// Publishes what the calculator computed for a definition (PacerApp writes it to the MetricDefinition's status).
public protocol MetricResultPublishing: Sendable {
    func publish(_ result: MetricResult) async throws
}
