import Metrics

/// The swift-metrics instruments of the calculate stage, created once (names in docs/metrics.md).
struct CalculateStageMetrics: Sendable {
    let lagEvents = Gauge(label: "pacer_pipeline_lag_events", dimensions: [("stage", "calculate")])
    let lagSeconds = Gauge(label: "pacer_pipeline_lag_seconds", dimensions: [("stage", "calculate")])
    let processed = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "calculate"), ("result", "processed")])

    func recordLag(events: Int64, seconds: Double) {
        lagEvents.record(events)
        lagSeconds.record(seconds)
    }

    func record(processed rows: Int) {
        if rows > 0 { processed.increment(by: rows) }
    }
}
