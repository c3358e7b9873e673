import PacerRules

/// The samples a full computation's deployments pass leaves for the points computed in memory (``MemoryPoints``):
/// every `deployments` and `lead_times` row it writes and every resolved `incidents` row it reads, with the columns
/// the built-in keys read, their dimensions interned (a history's rows mostly share them).
struct PointSamples: Sendable {
    /// A sample's dimensions, as the fact tables store them.
    struct Dimensions: Sendable, Hashable {
        var app: String
        var environment: String
        var team: String
        var namespace: String
        var cluster: String

        func value(of dimension: MetricDefinitionSpec.GroupBy) -> String {
            switch dimension {
            case .app: return app
            case .environment: return environment
            case .team: return team
            case .namespace: return namespace
            case .cluster: return cluster
            }
        }
    }

    /// A `deployments` row: its time and the fact columns the deployment keys read. A history's rows are appended in
    /// the pass's order (time, source, id), so each (app, environment, cluster) history is a subsequence in order.
    struct Deployment: Sendable {
        var time: Int64
        var dimensions: Int32
        var rolloutFailed: Bool
        /// The facts the pass judged (the row's fact columns).
        var facts: DeploymentHistoryPass.Facts

        /// `rollout_failed OR rolled_back OR incident_failed` (the failure reasons no definition's setting changes).
        var failed: Bool { rolloutFailed || facts.rolledBack || facts.incidentFailed }
    }

    /// A `lead_times` row (the deployment's time and the hours) or a resolved `incidents` row (the resolution's time
    /// and the hours).
    struct Hours: Sendable {
        var time: Int64
        var dimensions: Int32
        var hours: Double
    }

    private(set) var dimensions: [Dimensions] = []
    private(set) var deployments: [Deployment] = []
    private(set) var leadTimes: [Hours] = []
    private(set) var restores: [Hours] = []
    private var index: [Dimensions: Int32] = [:]
    private var last: (Dimensions, Int32)?

    init() {}

    private mutating func intern(_ value: Dimensions) -> Int32 {
        if let last, last.0 == value { return last.1 }
        let number: Int32
        if let known = index[value] {
            number = known
        } else {
            number = Int32(dimensions.count)
            dimensions.append(value)
            index[value] = number
        }
        last = (value, number)
        return number
    }

    mutating func deployment(time: Int64, _ dimensions: Dimensions, rolloutFailed: Bool, _ facts: DeploymentHistoryPass.Facts) {
        deployments.append(Deployment(time: time, dimensions: intern(dimensions), rolloutFailed: rolloutFailed, facts: facts))
    }

    mutating func leadTime(time: Int64, _ dimensions: Dimensions, hours: Double) {
        leadTimes.append(Hours(time: time, dimensions: intern(dimensions), hours: hours))
    }

    mutating func restore(time: Int64, _ dimensions: Dimensions, hours: Double) {
        restores.append(Hours(time: time, dimensions: intern(dimensions), hours: hours))
    }

    /// Appends another batch's samples (their dimension numbers shifted past this one's; a dimension both hold is
    /// then listed twice, which only costs a group lookup).
    mutating func append(_ other: PointSamples) {
        let shift = Int32(dimensions.count)
        dimensions.append(contentsOf: other.dimensions)
        deployments.append(contentsOf: other.deployments.lazy.map { var sample = $0; sample.dimensions += shift; return sample })
        leadTimes.append(contentsOf: other.leadTimes.lazy.map { var sample = $0; sample.dimensions += shift; return sample })
        restores.append(contentsOf: other.restores.lazy.map { var sample = $0; sample.dimensions += shift; return sample })
        index = [:]
        last = nil
    }
}
