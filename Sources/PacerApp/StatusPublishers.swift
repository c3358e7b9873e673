import Foundation
import KubeClient
import KubeCore
import Logging
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline

/// Writes the pipeline's counters to `CDEventTransform.status` (`produced`, `failed`, `lastError`) with a JSON merge
/// patch on `/status`, leaving the reconciler's conditions and `observedGeneration` alone. A transform deleted in
/// the meantime (404) is not an error.
struct KubeTransformStatusPublisher: TransformStatusPublishing {
    let client: KubeClient

    func publish(namespace: String, name: String, status: TransformStatusUpdate) async throws {
        var lastError: JSONValue = .null
        if let message = status.lastError {
            lastError = [
                "message": .string(message),
                "eventId": status.lastErrorEventId.map(JSONValue.string) ?? .null,
                "time": status.lastErrorAt.map { .string(KubeTime($0).description) } ?? .null,
            ]
        }
        let patch: JSONValue = ["status": ["produced": .int(status.produced), "failed": .int(status.failed), "lastError": lastError]]
        try await patchStatus(client.resource(DynamicObject.self, descriptor: .cdEventTransforms, namespace: namespace), name, patch)
    }
}

/// Writes the transform stage's route counters to `EventRoute.status` (`matchedEvents`, `lastMatchTime`: when the
/// latest matching CloudEvent was stored, to the second) with a JSON merge patch on `/status` that names only those
/// two fields, leaving the reconciler's conditions and `observedGeneration` alone. A route deleted in the meantime
/// (404) is not an error.
struct KubeRouteStatusPublisher: RouteStatusPublishing {
    let client: KubeClient

    func publish(namespace: String, name: String, status: RouteStatusUpdate) async throws {
        let lastMatchTime: JSONValue = status.lastMatchTime.map { .string(KubeTime($0).description) } ?? .null
        let patch: JSONValue = ["status": ["matchedEvents": .int(status.matchedEvents), "lastMatchTime": lastMatchTime]]
        try await patchStatus(client.resource(DynamicObject.self, descriptor: .eventRoutes, namespace: namespace), name, patch)
    }
}

/// Writes the calculator's results to `MetricDefinition.status` (value, numericValue, unit, level, window, groups,
/// lastComputedTime) with a JSON merge patch on `/status`; fields without a value are removed, the reconciler's
/// conditions and `observedGeneration` are left alone.
struct KubeMetricStatusPublisher: MetricResultPublishing {
    let client: KubeClient

    func publish(_ result: MetricResult) async throws {
        let status = MetricDefinitionStatus(result)
        var fields: [String: JSONValue] = [
            "value": .null, "numericValue": .null, "unit": .null, "level": .null, "samples": .null, "window": .null, "groups": .null,
            "lastComputedTime": .null,
        ]
        if case .object(let encoded) = try JSONValue(encoding: status) {
            for (key, value) in encoded where fields[key] != nil { fields[key] = value }
        }
        try await patchStatus(
            client.resource(DynamicObject.self, descriptor: .metricDefinitions, namespace: result.namespace), result.name,
            ["status": .object(fields)])
    }
}

extension MetricDefinitionStatus {
    /// The status of a definition from its result: the `''` headline row is the value; the other rows are the
    /// groups, sorted by group key, at most ``maxGroups``.
    init(_ result: MetricResult) {
        let overall = result.headlines.first { $0.groupKey.isEmpty }
        let groups = result.headlines.filter { !$0.groupKey.isEmpty }.sorted { $0.groupKey < $1.groupKey }.prefix(Self.maxGroups).map {
            Group(labels: $0.labels, value: $0.value.map(MetricValueFormat.format), numericValue: $0.value, level: $0.levelName, samples: $0.samples)
        }
        self.init(
            value: overall?.value.map(MetricValueFormat.format), numericValue: overall?.value, unit: result.unit, level: overall?.levelName,
            samples: overall?.samples,
            window: result.window, groups: groups.isEmpty ? nil : Array(groups), lastComputedTime: KubeTime(result.computedAt))
    }
}

/// Merge-patches `/status` of a pacer.dev resource; a resource that no longer exists is skipped.
func patchStatus(_ resources: ResourceClient<DynamicObject>, _ name: String, _ patch: JSONValue) async throws {
    do {
        _ = try await resources.patchStatus(name, mergePatch: patch)
    } catch let error as KubeClientError where error.isNotFound {
        return
    }
}
