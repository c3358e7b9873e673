/// `apps/v1` Deployment: only the fields Pacer reads.
public struct Deployment: KubernetesObject, Hashable {
    public static let resource = ResourceDescriptor.deployments

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `DeploymentSpec` (subset).
    public struct Spec: Codable, Sendable, Hashable {
        public var replicas: Int32?
        public var selector: LabelSelector?
        public var template: PodTemplate?

        public init(replicas: Int32? = nil, selector: LabelSelector? = nil, template: PodTemplate? = nil) {
            self.replicas = replicas
            self.selector = selector
            self.template = template
        }
    }

    /// `PodTemplateSpec` (subset).
    public struct PodTemplate: Codable, Sendable, Hashable {
        public var metadata: TemplateMeta?
        public var spec: PodSpec?

        public init(metadata: TemplateMeta? = nil, spec: PodSpec? = nil) {
            self.metadata = metadata
            self.spec = spec
        }
    }

    /// Template metadata: labels and annotations only.
    public struct TemplateMeta: Codable, Sendable, Hashable {
        public var labels: [String: String]?
        public var annotations: [String: String]?

        public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
            self.labels = labels
            self.annotations = annotations
        }
    }

    /// `PodSpec` (containers only).
    public struct PodSpec: Codable, Sendable, Hashable {
        public var containers: [Container]?

        public init(containers: [Container]? = nil) { self.containers = containers }
    }

    /// A container: name and image.
    public struct Container: Codable, Sendable, Hashable {
        public var name: String
        public var image: String?

        public init(name: String, image: String? = nil) {
            self.name = name
            self.image = image
        }
    }
}

/// `DeploymentStatus` (subset).
public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [DeploymentCondition]?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, updatedReplicas: Int32? = nil, readyReplicas: Int32? = nil,
        availableReplicas: Int32? = nil, unavailableReplicas: Int32? = nil, conditions: [DeploymentCondition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
    }
}

/// `DeploymentCondition` (`Available`, `Progressing`, `ReplicaFailure`).
public struct DeploymentCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastUpdateTime: KubeTime?
    public var lastTransitionTime: KubeTime?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastUpdateTime: KubeTime? = nil, lastTransitionTime: KubeTime? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
    }
}
