import Metrics

/// swift-metrics instruments of one watcher, labelled by resource. The app bootstraps the backend.
struct WatcherMetrics: Sendable {
    let resource: String
    let watchRestarts: Counter
    let relists: Counter
    let errors: Counter

    init(resource: String) {
        self.resource = resource
        watchRestarts = Counter(label: "pacer_kube_watch_restarts_total", dimensions: [("resource", resource)])
        relists = Counter(label: "pacer_kube_relists_total", dimensions: [("resource", resource)])
        errors = Counter(label: "pacer_kube_watch_errors_total", dimensions: [("resource", resource)])
    }

    func eventsReceived(_ type: String) -> Counter {
        Counter(label: "pacer_kube_watch_events_total", dimensions: [("resource", resource), ("type", type)])
    }
}
