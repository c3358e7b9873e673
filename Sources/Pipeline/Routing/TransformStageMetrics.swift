import EventStore
import Metrics

/// The swift-metrics instruments of the route/transform stage (names in PIPELINE.md / docs/pipeline.md).
struct TransformStageMetrics: Sendable {
    let lagEvents = Gauge(label: "pacer_pipeline_lag_events", dimensions: [("stage", "transform")])
    let lagSeconds = Gauge(label: "pacer_pipeline_lag_seconds", dimensions: [("stage", "transform")])
    let routed = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "route"), ("result", "routed")])
    let unrouted = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "route"), ("result", "unrouted")])
    let routeErrors = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "route"), ("result", "error")])
    let produced = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "transform"), ("result", "produced")])
    let failed = Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "transform"), ("result", "failed")])
    let caughtUp = Counter(label: "pacer_pipeline_catchup_events_total")

    func record(_ lag: StageLag) {
        lagEvents.record(lag.events)
        lagSeconds.record(lag.seconds)
    }

    /// A batch's outputs. A catch-up batch (`catchUp`, one route over events the live pass already counted) adds
    /// to `pacer_pipeline_catchup_events_total` instead of routed/unrouted.
    func record(_ output: EventRouter.Output, inserted: Int, catchUp: Bool = false) {
        if catchUp {
            caughtUp.increment(by: output.routed + output.unrouted)
        } else {
            if output.routed > 0 { routed.increment(by: output.routed) }
            if output.unrouted > 0 { unrouted.increment(by: output.unrouted) }
        }
        if output.routeErrors > 0 { routeErrors.increment(by: output.routeErrors) }
        if inserted > 0 { produced.increment(by: inserted) }
        let failures = output.transformFailures.values.reduce(0, +)
        if failures > 0 { failed.increment(by: failures) }
        for (route, waiting) in output.waiting {
            Counter(label: "pacer_route_waiting_events_total", dimensions: [("route", route)]).increment(by: waiting.events)
        }
        for (transform, count) in output.transformFailures {
            Counter(label: "pacer_transform_errors_total", dimensions: [("transform", transform)]).increment(by: count)
        }
    }
}
