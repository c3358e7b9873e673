/// Field numbers of the built-in kinds (from k8s.io/api `generated.proto`), for `ProtobufDecoder`.
extension ProtobufDecoder {
    typealias F = Field

    static let ownerReference: [Int: Field] = [
        1: F("kind", .string), 3: F("name", .string), 4: F("uid", .string), 5: F("apiVersion", .string),
        6: F("controller", .bool), 7: F("blockOwnerDeletion", .bool),
    ]

    static let objectMeta: [Int: Field] = [
        1: F("name", .string), 2: F("generateName", .string), 3: F("namespace", .string), 5: F("uid", .string),
        6: F("resourceVersion", .string), 7: F("generation", .int), 8: F("creationTimestamp", .time),
        9: F("deletionTimestamp", .time), 10: F("deletionGracePeriodSeconds", .int), 11: F("labels", .map(.string)),
        12: F("annotations", .map(.string)), 13: F("ownerReferences", .message(ownerReference), repeated: true),
        14: F("finalizers", .string, repeated: true),
    ]

    static let labelSelector: [Int: Field] = [
        1: F("matchLabels", .map(.string)),
        2: F("matchExpressions", .message([1: F("key", .string), 2: F("operator", .string), 3: F("values", .string, repeated: true)]), repeated: true),
    ]

    static let containerPort: [Int: Field] = [
        1: F("name", .string), 2: F("hostPort", .int), 3: F("containerPort", .int, keepZero: true), 4: F("protocol", .string), 5: F("hostIP", .string),
    ]

    static let envVar: [Int: Field] = [1: F("name", .string), 2: F("value", .string)]

    static let resources: [Int: Field] = [1: F("limits", .map(.quantity)), 2: F("requests", .map(.quantity))]

    static let container: [Int: Field] = [
        1: F("name", .string), 2: F("image", .string), 3: F("command", .string, repeated: true), 4: F("args", .string, repeated: true),
        5: F("workingDir", .string), 6: F("ports", .message(containerPort), repeated: true), 7: F("env", .message(envVar), repeated: true),
        8: F("resources", .message(resources)), 13: F("terminationMessagePath", .string), 14: F("imagePullPolicy", .string),
        16: F("stdin", .bool), 17: F("stdinOnce", .bool), 18: F("tty", .bool), 20: F("terminationMessagePolicy", .string),
    ]

    static let podSpec: [Int: Field] = [
        2: F("containers", .message(container), repeated: true), 3: F("restartPolicy", .string),
        4: F("terminationGracePeriodSeconds", .int, keepZero: true), 6: F("dnsPolicy", .string), 7: F("nodeSelector", .map(.string)),
        8: F("serviceAccountName", .string), 19: F("schedulerName", .string), 20: F("initContainers", .message(container), repeated: true),
    ]

    static let podTemplateSpec: [Int: Field] = [1: F("metadata", .message(objectMeta)), 2: F("spec", .message(podSpec))]

    static let deploymentSpec: [Int: Field] = [
        1: F("replicas", .int, keepZero: true), 2: F("selector", .message(labelSelector)), 3: F("template", .message(podTemplateSpec)),
        4: F("strategy", .message([1: F("type", .string), 2: F("rollingUpdate", .message([1: F("maxUnavailable", .intOrString), 2: F("maxSurge", .intOrString)]))])),
        5: F("minReadySeconds", .int), 6: F("revisionHistoryLimit", .int, keepZero: true), 7: F("paused", .bool),
        9: F("progressDeadlineSeconds", .int, keepZero: true),
    ]

    static let objectReference: [Int: Field] = [
        1: F("kind", .string), 2: F("namespace", .string), 3: F("name", .string), 4: F("uid", .string), 5: F("apiVersion", .string),
        6: F("resourceVersion", .string), 7: F("fieldPath", .string),
    ]

    /// authorization/v1 `ResourceAttributes` and `NonResourceAttributes` (field order of the Go structs).
    static let resourceAttributes: [Int: Field] = [
        1: F("namespace", .string), 2: F("verb", .string), 3: F("group", .string), 4: F("version", .string), 5: F("resource", .string),
        6: F("subresource", .string), 7: F("name", .string),
    ]
    static let nonResourceAttributes: [Int: Field] = [1: F("path", .string), 2: F("verb", .string)]

    static let schemas: [String: [Int: Field]] = [
        // `kubectl create token` sends this one as protobuf (authentication/v1 TokenRequestSpec).
        "TokenRequest": [
            1: F("metadata", .message(objectMeta)),
            2: F("spec", .message([
                1: F("audiences", .string, repeated: true),
                3: F("boundObjectRef", .message([1: F("kind", .string), 2: F("apiVersion", .string), 3: F("name", .string), 4: F("uid", .string)])),
                4: F("expirationSeconds", .int),
            ])),
        ],
        // `kubectl auth can-i` sends this one as protobuf.
        "SelfSubjectAccessReview": [
            1: F("metadata", .message(objectMeta)),
            2: F("spec", .message([1: F("resourceAttributes", .message(resourceAttributes)), 2: F("nonResourceAttributes", .message(nonResourceAttributes))])),
        ],
        "Namespace": [1: F("metadata", .message(objectMeta)), 2: F("spec", .message([1: F("finalizers", .string, repeated: true)]))],
        "ConfigMap": [1: F("metadata", .message(objectMeta)), 2: F("data", .map(.string)), 3: F("binaryData", .map(.bytes)), 4: F("immutable", .bool)],
        "Deployment": [1: F("metadata", .message(objectMeta)), 2: F("spec", .message(deploymentSpec))],
        "Lease": [
            1: F("metadata", .message(objectMeta)),
            2: F("spec", .message([
                1: F("holderIdentity", .string), 2: F("leaseDurationSeconds", .int, keepZero: true), 3: F("acquireTime", .microTime),
                4: F("renewTime", .microTime), 5: F("leaseTransitions", .int, keepZero: true),
            ])),
        ],
        "Event": [
            1: F("metadata", .message(objectMeta)), 2: F("involvedObject", .message(objectReference)), 3: F("reason", .string),
            4: F("message", .string), 5: F("source", .message([1: F("component", .string), 2: F("host", .string)])),
            6: F("firstTimestamp", .time), 7: F("lastTimestamp", .time), 8: F("count", .int), 9: F("type", .string),
            10: F("eventTime", .microTime), 12: F("action", .string), 14: F("reportingComponent", .string), 15: F("reportingInstance", .string),
        ],
    ]
}
