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

/// Writes the calculator's values to `MetricDefinition.status` (value, numericValue, unit, level, window, groups,
/// lastComputedTime) with a JSON merge patch on `/status`; fields without a value are removed, the reconciler's
/// conditions and `observedGeneration` are left alone.
struct KubeMetricStatusPublisher: MetricStatusPublishing {
    let client: KubeClient

    func publish(namespace: String, name: String, status: MetricDefinitionStatus) async throws {
        var fields: [String: JSONValue] = [
            "value": .null, "numericValue": .null, "unit": .null, "level": .null, "window": .null, "groups": .null,
            "lastComputedTime": .null,
        ]
        if case .object(let encoded) = try JSONValue(encoding: status) {
            for (key, value) in encoded where fields[key] != nil { fields[key] = value }
        }
        try await patchStatus(
            client.resource(DynamicObject.self, descriptor: .metricDefinitions, namespace: namespace), name, ["status": .object(fields)])
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
