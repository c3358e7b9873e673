import PacerCore

/// Deployment status documents as the real controller writes them.
enum DeploymentStatus {
    static func progressing(name: String, generation: Int64, replicas: Int64, unavailable: Bool, previous: JSONValue) -> JSONValue {
        let available = unavailable ? 0 : (previous["availableReplicas"]?.intValue ?? 0)
        let conditions = [
            condition(
                "Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(name)-\(suffix(name))\" is progressing.", previous: previous),
            availableCondition(available > 0, previous: previous),
        ]
        return status(
            generation: generation, replicas: replicas, updated: max(0, replicas - 1), available: available, conditions: conditions)
    }

    static func settled(name: String, generation: Int64, replicas: Int64, failed: Bool, unavailable: Bool, previous: JSONValue) -> JSONValue {
        let updated = failed ? max(0, replicas - 1) : replicas
        let available = unavailable ? 0 : replicas
        let progressing =
            failed
            ? condition("Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"\(name)-\(suffix(name))\" has timed out progressing.", previous: previous)
            : condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(name)-\(suffix(name))\" has successfully progressed.", previous: previous)
        return status(
            generation: generation, replicas: replicas, updated: updated, available: available,
            conditions: [availableCondition(!unavailable, previous: previous), progressing])
    }

    /// The status without timestamps, to decide whether a write is needed.
    static func comparable(_ status: JSONValue) -> JSONValue {
        var copy = status
        if let conditions = status["conditions"]?.arrayValue {
            copy["conditions"] = .array(
                conditions.map { c in
                    var c = c
                    c["lastUpdateTime"] = nil
                    c["lastTransitionTime"] = nil
                    return c
                }.sorted { ($0["type"]?.stringValue ?? "") < ($1["type"]?.stringValue ?? "") })
        }
        return copy
    }

    private static func status(generation: Int64, replicas: Int64, updated: Int64, available: Int64, conditions: [JSONValue]) -> JSONValue {
        var status: [String: JSONValue] = [
            "observedGeneration": .int(generation), "replicas": .int(replicas), "updatedReplicas": .int(updated),
            "readyReplicas": .int(available), "availableReplicas": .int(available), "conditions": .array(conditions),
        ]
        if replicas - available > 0 { status["unavailableReplicas"] = .int(replicas - available) }
        for key in ["updatedReplicas", "readyReplicas", "availableReplicas", "replicas"] where status[key]?.intValue == 0 {
            status[key] = nil  // the real controller omits zero counts
        }
        return .object(status)
    }

    private static func availableCondition(_ available: Bool, previous: JSONValue) -> JSONValue {
        available
            ? condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", previous: previous)
            : condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", previous: previous)
    }

    private static func condition(_ type: String, _ status: Bool, _ reason: String, _ message: String, previous: JSONValue) -> JSONValue {
        let now = StoreState.now()
        let old = previous["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
        let unchanged = old?["status"]?.stringValue == (status ? "True" : "False")
        let sameReason = unchanged && old?["reason"]?.stringValue == reason
        return [
            "type": .string(type), "status": .string(status ? "True" : "False"), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": sameReason ? (old?["lastUpdateTime"] ?? .string(now)) : .string(now),
            "lastTransitionTime": unchanged ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now),
        ]
    }

    /// A stable pseudo ReplicaSet hash suffix for messages.
    private static func suffix(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<10).map { i in alphabet[Int((hash >> UInt32(i * 3)) % UInt32(alphabet.count))] })
    }
}
