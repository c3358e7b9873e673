import EventModel
import Foundation
import KubeCore

/// The pure core of one workload kind: from what it remembers and a newly observed object, which CloudEvents
/// follow. Level-based with deterministic ids, so a relist, a restart or a second replica derives nothing new
/// (or the same ids, which the store drops). The ``WorkloadSource`` feeds it; it does no I/O.
public protocol WorkloadEventDeriver: Sendable {
    /// The kind this deriver reads.
    var kind: WorkloadKind { get }
    /// The events implied by an added, updated, relisted or resynced object. Throws when the object cannot be read.
    mutating func observe(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation
    /// The events implied by the object's deletion (its last known state).
    mutating func delete(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation
    /// Events that fall due with time alone (a progress deadline passing with no new observation).
    mutating func tick(now: Date) -> [CloudEvent]
    /// As ``observe(_:namespace:now:)``, with the workload's earlier pod templates when the source reads them (the
    /// Deployment deriver asks for the previous revision's template on first sight).
    mutating func observe(_ object: DynamicObject, namespace: Namespace?, templates: (any PodTemplateHistory)?, now: Date) throws -> WorkloadObservation

    /// The namespace whose Namespace object (annotations) the context reads: the object's own for workloads, the
    /// destination or target namespace for GitOps objects.
    func contextNamespace(of object: DynamicObject) -> String?
}

extension WorkloadEventDeriver {
    public mutating func tick(now: Date) -> [CloudEvent] { [] }

    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, templates: (any PodTemplateHistory)?, now: Date) throws -> WorkloadObservation {
        try observe(object, namespace: namespace, now: now)
    }

    public func contextNamespace(of object: DynamicObject) -> String? { object.key?.namespace }
}

/// What one observation derived, and what the source should log about it.
public struct WorkloadObservation: Sendable {
    public var events: [CloudEvent]
    /// Problems found in the workload's annotations (logged when events are derived).
    public var warnings: [String]

    public init(events: [CloudEvent], warnings: [String] = []) {
        self.events = events
        self.warnings = warnings
    }
}
