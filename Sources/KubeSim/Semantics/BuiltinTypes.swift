import PacerCore

/// The built-in resource types kube-sim serves, with the defaults and the few validations the real
/// API server applies to them that clients notice.
enum BuiltinTypes {
    static func all() -> [ResourceType] {
        [
            ResourceType(
                group: "", versions: ["v1"], plural: "namespaces", singular: "namespace", kind: "Namespace", listKind: "NamespaceList",
                namespaced: false, shortNames: ["ns"], categories: [], hasStatus: true,
                verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
            ResourceType(
                group: "", versions: ["v1"], plural: "events", singular: "event", kind: "Event", listKind: "EventList",
                namespaced: true, shortNames: ["ev"], categories: [], hasStatus: false),
            ResourceType(
                group: eventsKey.group, versions: ["v1"], plural: "events", singular: "event", kind: "Event", listKind: "EventList",
                namespaced: true, shortNames: ["ev"], categories: [], hasStatus: false),
            ResourceType(
                group: "", versions: ["v1"], plural: "configmaps", singular: "configmap", kind: "ConfigMap", listKind: "ConfigMapList",
                namespaced: true, shortNames: ["cm"], categories: [], hasStatus: false),
            ResourceType(
                group: "apps", versions: ["v1"], plural: "deployments", singular: "deployment", kind: "Deployment", listKind: "DeploymentList",
                namespaced: true, shortNames: ["deploy"], categories: ["all"], hasStatus: true),
            ResourceType(
                group: "apps", versions: ["v1"], plural: "replicasets", singular: "replicaset", kind: "ReplicaSet", listKind: "ReplicaSetList",
                namespaced: true, shortNames: ["rs"], categories: ["all"], hasStatus: true),
            ResourceType(
                group: "apps", versions: ["v1"], plural: "statefulsets", singular: "statefulset", kind: "StatefulSet", listKind: "StatefulSetList",
                namespaced: true, shortNames: ["sts"], categories: ["all"], hasStatus: true),
            ResourceType(
                group: "apps", versions: ["v1"], plural: "daemonsets", singular: "daemonset", kind: "DaemonSet", listKind: "DaemonSetList",
                namespaced: true, shortNames: ["ds"], categories: ["all"], hasStatus: true),
            ResourceType(
                group: "coordination.k8s.io", versions: ["v1"], plural: "leases", singular: "lease", kind: "Lease", listKind: "LeaseList",
                namespaced: true, shortNames: [], categories: [], hasStatus: false),
            CRDRegistration.crdType(),
            ServiceAccounts.type,
        ] + RBACTypes.all + ReviewTypes.all
    }

    /// Applies defaults in place and returns validation errors.
    static func defaultAndValidate(_ key: TypeKey, _ object: inout JSONValue) -> [FieldError] {
        switch key {
        case StoreState.deploymentsKey: return deployment(&object)
        case eventsKey: return eventsV1(object)
        case StoreState.statefulSetsKey:
            return podWorkload(&object) { spec in
                setDefault(&spec, "replicas", 1)
                setDefault(&spec, "revisionHistoryLimit", 10)
                setDefault(&spec, "podManagementPolicy", "OrderedReady")
                setDefault(&spec, "updateStrategy", ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
                if spec["updateStrategy"]?["type"]?.stringValue == "RollingUpdate", spec["updateStrategy"]?["rollingUpdate"] == nil {
                    spec["updateStrategy"]?["rollingUpdate"] = ["partition": 0]
                }
                setDefault(&spec, "persistentVolumeClaimRetentionPolicy", ["whenDeleted": "Retain", "whenScaled": "Retain"])
            }
        case StoreState.daemonSetsKey:
            return podWorkload(&object) { spec in
                setDefault(&spec, "revisionHistoryLimit", 10)
                setDefault(&spec, "updateStrategy", ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
            }
        case StoreState.namespacesKey:
            if object["spec"]?["finalizers"] == nil { object["spec"] = ["finalizers": ["kubernetes"]] }
            if object["status"]?["phase"] == nil { object["status"] = ["phase": "Active"] }
            return []
        default:
            return []
        }
    }

    /// `events.k8s.io/v1` Events (stored apart from core/v1 Events: no conversion between the two).
    static let eventsKey = TypeKey(group: "events.k8s.io", resource: "events")

    /// The apiserver's validation of a new events.k8s.io/v1 Event: eventTime, reportingController,
    /// reportingInstance, action and reason are required, type is Normal or Warning, note at most 1 kB.
    private static func eventsV1(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        for field in ["eventTime", "reportingController", "reportingInstance", "action", "reason"]
        where object[field]?.stringValue?.isEmpty ?? true {
            errors.append(.required(field))
        }
        if let type = object["type"]?.stringValue, !["Normal", "Warning"].contains(type) {
            errors.append(.notSupported("type", .string(type), ["Normal", "Warning"]))
        }
        if let note = object["note"]?.stringValue, note.utf8.count > 1024 {
            errors.append(FieldError(kind: .tooLong, field: "note", detail: "Too long: may not be more than 1024 bytes"))
        }
        return errors
    }

    private static func deployment(_ object: inout JSONValue) -> [FieldError] {
        podWorkload(&object) { spec in
            setDefault(&spec, "replicas", 1)
            setDefault(&spec, "revisionHistoryLimit", 10)
            setDefault(&spec, "progressDeadlineSeconds", 600)
            setDefault(&spec, "strategy", ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        }
    }

    /// DaemonSets: the API server keeps the generation of the pod template in `deprecated.daemonset.template.generation`
    /// (1 on create, +1 whenever `spec.template` changes).
    static func templateGeneration(_ key: TypeKey, old: JSONValue?, new object: inout JSONValue) {
        guard key == StoreState.daemonSetsKey else { return }
        let annotation = "deprecated.daemonset.template.generation"
        let previous = old.flatMap { Int64($0["metadata"]?["annotations"]?[annotation]?.stringValue ?? "") } ?? 0
        let changed = old == nil || old?["spec"]?["template"] != object["spec"]?["template"]
        var annotations = object["metadata"]?["annotations"]?.objectValue ?? [:]
        annotations[annotation] = .string(String(changed ? previous + 1 : max(previous, 1)))
        object["metadata"]?["annotations"] = .object(annotations)
    }

    /// Defaults (`defaults` for the kind's own spec fields, then the pod template's) and the checks shared by the
    /// workload kinds.
    private static func podWorkload(_ object: inout JSONValue, defaults: (inout JSONValue) -> Void) -> [FieldError] {
        var spec = object["spec"] ?? [:]
        defaults(&spec)
        var podSpec = spec["template"]?["spec"] ?? [:]
        setDefault(&podSpec, "restartPolicy", "Always")
        setDefault(&podSpec, "terminationGracePeriodSeconds", 30)
        setDefault(&podSpec, "dnsPolicy", "ClusterFirst")
        setDefault(&podSpec, "schedulerName", "default-scheduler")
        setDefault(&podSpec, "securityContext", [:])
        if let containers = podSpec["containers"]?.arrayValue {
            podSpec["containers"] = .array(containers.map(defaultContainer))
        }
        if spec["template"] != nil { spec["template"]?["spec"] = podSpec }
        object["spec"] = spec

        var errors: [FieldError] = []
        let selector = spec["selector"]?["matchLabels"]?.objectValue ?? [:]
        if spec["selector"] == nil { errors.append(.required("spec.selector")) }
        let labels = spec["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
        if spec["selector"] != nil, selector.contains(where: { labels[$0.key] != $0.value }) {
            errors.append(.invalid("spec.template.metadata.labels", .object(labels), "`selector` does not match template `labels`"))
        }
        let containers = podSpec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errors.append(.required("spec.template.spec.containers")) }
        for (index, container) in containers.enumerated() {
            if container["name"]?.stringValue?.isEmpty ?? true { errors.append(.required("spec.template.spec.containers[\(index)].name")) }
            if container["image"]?.stringValue?.isEmpty ?? true { errors.append(.required("spec.template.spec.containers[\(index)].image")) }
        }
        if let replicas = spec["replicas"]?.intValue, replicas < 0 {
            errors.append(.invalid("spec.replicas", .int(replicas), "must be greater than or equal to 0"))
        }
        return errors
    }

    private static func defaultContainer(_ container: JSONValue) -> JSONValue {
        var c = container
        setDefault(&c, "terminationMessagePath", "/dev/termination-log")
        setDefault(&c, "terminationMessagePolicy", "File")
        setDefault(&c, "resources", [:])
        let image = c["image"]?.stringValue ?? ""
        let tag = image.split(separator: "/").last.flatMap { $0.split(separator: ":").dropFirst().first } ?? ""
        setDefault(&c, "imagePullPolicy", .string(tag.isEmpty || tag == "latest" ? "Always" : "IfNotPresent"))
        return c
    }

    private static func setDefault(_ object: inout JSONValue, _ key: String, _ value: JSONValue) {
        if object[key] == nil || object[key]?.isNull == true { object[key] = value }
    }
}
