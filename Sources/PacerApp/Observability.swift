import CoreMetrics
import Metrics
import Prometheus

/// The process's metrics backend: one Prometheus registry behind swift-metrics, served on `/metrics`.
public enum Observability {
    /// The registry every swift-metrics metric of the process is recorded in.
    public static let registry = PrometheusCollectorRegistry()
    private static let once = OnceFlag()

    /// Bootstraps swift-metrics with ``registry`` the first time it is called in the process; later calls only
    /// return the registry. Metric and label names are made valid for Prometheus (`hb.requests` → `hb_requests`).
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        if once.claim() {
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.nameAndLabelSanitizer = { name, labels in
                (sanitize(name), labels.map { (sanitize($0.0), $0.1) })
            }
            MetricsSystem.bootstrap(factory)
        }
        return registry
    }

    /// A valid Prometheus metric or label name: `[a-zA-Z_:][a-zA-Z0-9_:]*` (other characters become `_`).
    static func sanitize(_ name: String) -> String {
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == ":"
            let isDigit = ("0"..."9").contains(scalar)
            if isLetter || (isDigit && index > 0) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "_"
            }
        }
        return out.isEmpty ? "_" : out
    }
}
