import Foundation
import OperatorAPI
import PacerRules
@testable import Pipeline

/// The four keys computed in plain Swift from the fixture events (docs/metrics.md), without SQL: what the
/// calculator's tables must contain.
struct MetricReference {
    typealias Event = MetricFixture.Event
    typealias PointKey = MetricFixture.PointKey
    typealias Point = MetricFixture.Point

    /// (time, group app, value) samples of one metric.
    struct Sample {
        var time: Date
        var app: String
        var value: Double
    }

    let events: [Event]
    let environment = "production"

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()

    static func start(_ bucket: String, _ time: Date) -> Date {
        let days = (time.timeIntervalSince1970 / 86_400).rounded(.down)
        switch bucket {
        case "day":
            return Date(timeIntervalSince1970: days * 86_400)
        case "week":
            let weekday = (Int(days) + 3) % 7  // 1970-01-01 was a Thursday; Monday = 0
            return Date(timeIntervalSince1970: (days - Double(weekday)) * 86_400)
        case "month":
            let parts = utc.dateComponents([.year, .month], from: time)
            return utc.date(from: parts) ?? time
        default:
            let parts = utc.dateComponents([.year], from: time)
            return utc.date(from: parts) ?? time
        }
    }

    var deployments: [Event] {
        events.filter { $0.kind == .deploy }.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }

    /// Deployment frequency samples: one per production deployment.
    var frequency: [Sample] {
        deployments.filter { $0.environment == environment }.map { Sample(time: $0.time, app: $0.app, value: 1) }
    }

    /// Incident openings: per subject, an open starts an incident unless one is open (later detections while it
    /// is open are not openings); the first resolution after it closes it.
    var openings: [Event] {
        var out: [Event] = []
        let incidentEvents = events.filter { $0.kind == .open || $0.kind == .resolved }
        for subject in Set(incidentEvents.map(\.subjectId)) {
            var open = false
            for event in incidentEvents.filter({ $0.subjectId == subject }).sorted(by: { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }) {
                if event.kind == .open {
                    if !open { out.append(event) }
                    open = true
                } else {
                    open = false
                }
            }
        }
        return out
    }

    /// Change failure (the fixture has no rollbacks, failed rollouts or explicit links): per production deployment,
    /// 1 when an incident opening in its app and environment falls while it is the latest deployment there and at
    /// most 24 hours (the default attribution window) after it.
    var failures: [Sample] {
        let opens = openings
        return deployments.filter { $0.environment == environment }.map { deployment in
            let next = deployments.first { $0.app == deployment.app && $0.environment == deployment.environment && ($0.time, $0.id) > (deployment.time, deployment.id) }
            let failed = opens.contains { open in
                open.app == deployment.app && open.environment == deployment.environment && open.time >= deployment.time
                    && (next.map { open.time < $0.time } ?? true) && open.time.timeIntervalSince(deployment.time) <= 24 * 3_600
            }
            return Sample(time: deployment.time, app: deployment.app, value: failed ? 1 : 0)
        }
    }

    /// Lead time (every change counted): per (app, sha) its earliest merge (its repository: the first one given).
    /// Walking the production deployments of the app in time order, the change is carried by the first one that
    /// did not fail its rollout, is at or after the change, and deployed a commit that is itself a change of the app
    /// merged at or after this one, in the same repository unless either repository is unknown. Hours, at the
    /// deployment's time.
    var leadTimes: [Sample] {
        struct Change { var time: Date; var repository: String? }
        var changes: [String: [String: Change]] = [:]  // app → sha → change
        for event in events.filter({ $0.kind == .change }).sorted(by: { ($0.time, $0.id) < ($1.time, $1.id) }) {
            guard let sha = event.commit else { continue }
            var change = changes[event.app]?[sha] ?? Change(time: event.time, repository: nil)
            if change.repository == nil { change.repository = event.extra["repository"] }
            changes[event.app, default: [:]][sha] = change
        }
        var samples: [Sample] = []
        for (app, shas) in changes {
            for (_, change) in shas {
                let carrier = deployments.first { deployment in
                    guard deployment.app == app, deployment.environment == environment, deployment.extra["outcome"] != "failed",
                        deployment.time >= change.time, let commit = deployment.commit, let deployed = shas[commit]
                    else { return false }
                    let sameRepository = change.repository == nil || deployed.repository == nil || change.repository == deployed.repository
                    return deployed.time >= change.time && sameRepository
                }
                guard let carrier else { continue }
                samples.append(Sample(time: carrier.time, app: app, value: carrier.time.timeIntervalSince(change.time) / 3_600))
            }
        }
        return samples
    }

    /// Time to restore: per subject, an open starts an incident unless one is open; the first resolution closes it.
    var restores: [Sample] {
        var samples: [Sample] = []
        let incidentEvents = events.filter { $0.kind == .open || $0.kind == .resolved }
        for subject in Set(incidentEvents.map(\.subjectId)) {
            var opened: Event?
            for event in incidentEvents.filter({ $0.subjectId == subject }).sorted(by: { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }) {
                if event.kind == .open {
                    if opened == nil { opened = event }
                } else if let start = opened {
                    if start.environment == environment {
                        samples.append(Sample(time: event.time, app: start.app, value: event.time.timeIntervalSince(start.time) / 3_600))
                    }
                    opened = nil
                }
            }
        }
        return samples
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The aggregate of `samples` for a metric.
    static func aggregate(_ metric: MetricDefinitionSpec.Metric, _ samples: [Sample]) -> Point {
        let values = samples.map(\.value)
        switch metric {
        case .deploymentFrequency: return Point(value: Double(values.count), samples: Int64(values.count))
        case .changeFailureRate: return Point(value: values.reduce(0, +) / Double(values.count), samples: Int64(values.count))
        default: return Point(value: median(values), samples: Int64(values.count))
        }
    }

    func samples(_ metric: MetricDefinitionSpec.Metric) -> [Sample] {
        switch metric {
        case .deploymentFrequency: return frequency
        case .changeFailureRate: return failures
        case .leadTimeForChanges: return leadTimes
        default: return restores
        }
    }

    /// Every point (all buckets; groups '' and app=…).
    func points(_ metric: MetricDefinitionSpec.Metric, buckets: [String] = ["day", "week", "month", "year"]) -> [PointKey: Point] {
        var grouped: [PointKey: [Sample]] = [:]
        for sample in samples(metric) {
            for bucket in buckets {
                let start = Self.start(bucket, sample.time)
                grouped[PointKey(bucket: bucket, start: start, group: ""), default: []].append(sample)
                grouped[PointKey(bucket: bucket, start: start, group: "app=\(sample.app)"), default: []].append(sample)
            }
        }
        return grouped.mapValues { Self.aggregate(metric, $0) }
    }

    /// Headline per group over the 30 days ending `now`: value, level, samples.
    func headlines(_ metric: MetricDefinitionSpec.Metric, now: Date) -> [String: (value: Double?, level: String?, samples: Int64)] {
        let window = 30 * 86_400.0
        let inWindow = samples(metric).filter { $0.time > now.addingTimeInterval(-window) && $0.time <= now }
        var groups: [String: [Sample]] = ["": inWindow]
        for sample in inWindow { groups["app=\(sample.app)", default: []].append(sample) }
        return groups.mapValues { samples in
            if metric == .deploymentFrequency {
                var perWeek = [Double](repeating: 0, count: 4)
                for week in 0..<4 {
                    let days = Set(samples.compactMap { sample -> Int? in
                        let age = now.timeIntervalSince(sample.time)
                        return Int(age / 604_800) == week ? Int(age / 86_400) : nil
                    })
                    perWeek[week] = Double(days.count)
                }
                let median = Self.median(perWeek) ?? 0
                let level = DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: median, deploymentsPer30Days: Double(samples.count))
                return (median, level.rawValue, Int64(samples.count))
            }
            let point = samples.isEmpty ? Point(value: nil, samples: 0) : Self.aggregate(metric, samples)
            return (point.value, point.value.flatMap { DORALevels.level(metric: metric, value: $0)?.rawValue }, point.samples)
        }
    }
}
