import EventModel
import EventStore
import Expressions
import Foundation
import PacerRules
import PacerCore

/// Routes and transforms a batch of stored CloudEvents with one ``RouteTable`` snapshot. Pure: no I/O.
///
/// For every event, every Ready route (in namespace/name order) is evaluated (filters, then `when`); each matching
/// route hands the event to its transforms, each transform at most once per event. A route whose `when` fails is
/// recorded (stage `route`) and the event goes on to the other routes; a transform that fails is recorded (stage
/// `transform`, counted against the transform) and only that CDEvent is skipped.
public struct EventRouter: Sendable {
    public let rules: RouteTable
    /// The cluster of the CDEvents produced from a CloudEvent that names none (docs/metrics.md, "Clusters").
    public let clusterName: String

    public init(rules: RouteTable, clusterName: String = "") {
        self.rules = rules
        self.clusterName = clusterName
    }

    /// What one batch produced, ready for `TransformStageStore.commitTransformBatch`.
    public struct Output: Sendable {
        public var produced: [ProducedCDEvent] = []
        public var failures: [PipelineFailure] = []
        /// CloudEvents at least one route matched.
        public var routed = 0
        /// CloudEvents no route matched.
        public var unrouted = 0
        /// Failures of `when` expressions and of unreadable events.
        public var routeErrors = 0
        /// Transform failures by `namespace/name`.
        public var transformFailures: [String: Int] = [:]
        /// The CloudEvents each route (`namespace/name`) matched (filters and `when` true), for
        /// `pipeline_route_stats`. A route whose `when` failed on an event did not match it.
        public var routeMatches: [String: RouteMatches] = [:]
        /// Per route (`namespace/name`): the events it matched for a transform that does not exist or is not Ready
        /// yet, and why. Not an error of the event: when the transform becomes usable the route's version changes
        /// and its catch-up transforms them (docs/pipeline.md).
        public var waiting: [String: Waiting] = [:]

        /// Adds another part of the same batch.
        mutating func append(_ other: Output) {
            produced += other.produced
            failures += other.failures
            routed += other.routed
            unrouted += other.unrouted
            routeErrors += other.routeErrors
            transformFailures.merge(other.transformFailures, uniquingKeysWith: +)
            routeMatches.merge(other.routeMatches) { $0.adding($1) }
            waiting.merge(other.waiting) { Waiting(events: $0.events + $1.events, reason: $1.reason) }
        }
    }

    /// Events a route matched for a transform it cannot use yet.
    public struct Waiting: Sendable, Hashable {
        public var events: Int
        /// `CDEventTransform ns/name does not exist` / `… is not Ready: …`.
        public var reason: String

        public init(events: Int, reason: String) {
            self.events = events
            self.reason = reason
        }
    }

    /// How many CloudEvents of a batch one route matched, and the latest `event_timestamp` (stored time) among them.
    public struct RouteMatches: Sendable, Hashable {
        public var count: Int
        public var lastStoredAt: Date

        public init(count: Int, lastStoredAt: Date) {
            self.count = count
            self.lastStoredAt = lastStoredAt
        }

        /// One more matched CloudEvent stored at `storedAt`.
        mutating func record(storedAt: Date) {
            count += 1
            lastStoredAt = max(lastStoredAt, storedAt)
        }

        func adding(_ other: RouteMatches) -> RouteMatches {
            RouteMatches(count: count + other.count, lastStoredAt: max(lastStoredAt, other.lastStoredAt))
        }
    }

    public func process(_ records: [RawCloudEventRecord], now: Date = Date()) -> Output {
        var output = Output()
        for record in records { process(record, now: now, into: &output) }
        return output
    }

    /// ``process(_:now:)`` in slices of `slice` events with a `Task.yield()` between them, so a large batch does not
    /// hold a cooperative thread (and every other task waiting for it) for its whole duration.
    public func process(_ records: [RawCloudEventRecord], slice: Int, now: Date = Date()) async -> Output {
        var output = Output()
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + max(1, slice), records.endIndex)
            output.append(process(Array(records[start..<end]), now: now))
            start = end
            if start < records.endIndex { await Task.yield() }
        }
        return output
    }

    private func process(_ record: RawCloudEventRecord, now: Date, into output: inout Output) {
        let event: CloudEvent
        do {
            event = try CloudEvent(jsonFormat: try JSONValue.parse(record.content))
        } catch {
            output.routeErrors += 1
            output.failures.append(
                PipelineFailure(
                    stage: "route", eventId: record.eventId, cloudEventSource: nil, cloudEventId: nil, component: "cloudevents_raw",
                    message: "the stored CloudEvent cannot be read: \(error)", occurredAt: now))
            return
        }
        func fail(_ stage: String, _ component: String, _ message: String) {
            output.failures.append(
                PipelineFailure(
                    stage: stage, eventId: record.eventId, cloudEventSource: event.source, cloudEventId: event.id, component: component,
                    message: message, occurredAt: now))
        }
        var activation: [String: Value]?
        var applied = Set<String>()
        var matched = false
        for route in rules.routes where route.mayRoute(event) && route.route.passesFilters(event) {
            let variables = activation ?? event.activation
            activation = variables
            switch route.route.matches(event, activation: variables) {
            case .failure(let error):
                output.routeErrors += 1
                fail("route", route.key, "spec.when: \(error)")
                continue
            case .success(false):
                continue
            case .success(true):
                matched = true
                output.routeMatches[route.key, default: RouteMatches(count: 0, lastStoredAt: record.storedAt)].record(storedAt: record.storedAt)
            }
            for name in route.route.transforms {
                let key = "\(route.namespace)/\(name)"
                guard applied.insert(key).inserted else { continue }
                switch rules.transform(named: name, in: route.namespace) {
                case .failure(let lookup):
                    output.waiting[route.key, default: Waiting(events: 0, reason: "")].events += 1
                    output.waiting[route.key]?.reason = lookup.description
                case .success(let transform):
                    do {
                        var cdEvents: [CDEvent] = []
                        for cdEvent in try transform.applyAll(to: event, activation: variables, transform: key, receivedAt: record.storedAt) {
                            cdEvents.append(route.clusterWide ? cdEvent : try Self.scoped(cdEvent, to: route.namespace))
                        }
                        let cluster = event.cluster ?? clusterName
                        for cdEvent in cdEvents.map({ $0.inCluster(cluster) }) {
                            output.produced.append(ProducedCDEvent(row: CDEventRow(cdEvent), originEventId: record.eventId, originTransform: key))
                        }
                    } catch {
                        output.transformFailures[key, default: 0] += 1
                        fail("transform", key, error.description)
                    }
                }
            }
        }
        if matched { output.routed += 1 } else { output.unrouted += 1 }
    }

    /// A CDEvent of a transform in a namespace that is not cluster-wide carries `customData.namespace` = that
    /// namespace, whatever the transform wrote, so its facts count in that namespace's metrics and in no other's
    /// (docs/security.md, "Namespace isolation"). A `customData` string cannot carry it: the CDEvent fails.
    static func scoped(_ cdEvent: CDEvent, to namespace: String) throws(TransformError) -> CDEvent {
        var scoped = cdEvent
        switch cdEvent.customData {
        case nil, .null?:
            scoped.customData = .object(["namespace": .string(namespace)])
        case .object(var members)?:
            members["namespace"] = .string(namespace)
            scoped.customData = .object(members)
        case let other?:
            throw TransformError(
                .wrongType, field: "spec.customData",
                "a CDEventTransform in namespace \(namespace) (not cluster-wide) must give an object or null: Pacer sets customData.namespace to \(namespace); got \(other.typeName)")
        }
        return scoped
    }
}
