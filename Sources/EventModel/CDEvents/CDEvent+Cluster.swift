import PacerCore

extension CDEvent {
    /// The cluster a CDEvent is about (docs/metrics.md, "Clusters"): `customData.cluster` when it is a non-empty
    /// string, else nil.
    public var cluster: String? {
        guard case .object(let members)? = customData, case .string(let name)? = members["cluster"], !name.isEmpty else { return nil }
        return name
    }

    /// This CDEvent with `customData.cluster` = `name` unless it already names a cluster. A `customData` that is not
    /// an object (a string, Base64 data) is left as it is: such a CDEvent has no cluster (the empty string).
    public func inCluster(_ name: String) -> CDEvent {
        guard cluster == nil, !name.isEmpty else { return self }
        var copy = self
        switch customData {
        case nil, .null?:
            copy.customData = .object(["cluster": .string(name)])
        case .object(var members)?:
            members["cluster"] = .string(name)
            copy.customData = .object(members)
        default:
            return self
        }
        return copy
    }
}

extension CloudEvent {
    /// The `cluster` extension attribute (set by Pacer's workload sources, locally and in agent mode) when it is a
    /// non-empty string.
    public var cluster: String? {
        guard case .string(let name)? = extensions["cluster"], !name.isEmpty else { return nil }
        return name
    }
}
