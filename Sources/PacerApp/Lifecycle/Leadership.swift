import Metrics
import Synchronization

/// Whether this replica leads right now: read by `/metrics` (only the leader exports the DORA gauges, so a
/// Prometheus scraping every replica stores each DORA series once per installation) and exported as the gauge
/// `pacer_leader` (0 or 1 on every replica of `pacer run`, from start-up). Create it after
/// `Observability.bootstrap()`: a gauge made before is bound to swift-metrics' no-op backend for good.
final class Leadership: Sendable {
    private let leading = Atomic<Bool>(false)
    private let gauge = Gauge(label: "pacer_leader")

    init() {
        gauge.record(0)
    }

    var isLeading: Bool { leading.load(ordering: .acquiring) }

    func set(leading value: Bool) {
        leading.store(value, ordering: .releasing)
        gauge.record(value ? 1 : 0)
    }
}
