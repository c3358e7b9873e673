import Synchronization

/// The calculator's compiled plans by definition, kept while the stored spec text is unchanged, as the transform
/// stage keeps its compiled routes: a step reads the Ready rows (one small query) but compiles, and logs why a
/// definition cannot be calculated, only when a definition is new or its spec changed.
final class MetricPlanCache: Sendable {
    private struct Entry {
        var specText: String
        var plan: Result<MetricPlan, MetricPlan.Unsupported>
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The plan of `key` for `specText`, compiled by `compile` when not cached; `isNew` is true when it was
    /// compiled now.
    func plan(
        key: String, specText: String, compile: () -> Result<MetricPlan, MetricPlan.Unsupported>
    ) -> (plan: Result<MetricPlan, MetricPlan.Unsupported>, isNew: Bool) {
        if let entry = entries.withLock({ $0[key] }), entry.specText == specText { return (entry.plan, false) }
        let plan = compile()
        entries.withLock { $0[key] = Entry(specText: specText, plan: plan) }
        return (plan, true)
    }

    /// Forgets definitions that are gone, so a re-created one is compiled (and reported) again.
    func retain(keys: Set<String>) {
        entries.withLock { entries in entries = entries.filter { keys.contains($0.key) } }
    }
}
