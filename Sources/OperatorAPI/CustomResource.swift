import KubeCore
import PacerRules

/// A spec type of a Pacer custom resource; names the resource it belongs to.
public protocol CustomResourceSpec: Codable, Sendable, Hashable {
    static var resource: ResourceDescriptor { get }
}

/// A Pacer custom resource: `apiVersion`, `kind`, `metadata`, `spec` and an optional `status`.
///
/// Use the aliases ``EventRoute``, ``CDEventTransform`` and ``MetricDefinition``.
public struct CustomResource<Spec: CustomResourceSpec, Status: Codable & Sendable & Hashable>: KubernetesObject, Hashable {
    public static var resource: ResourceDescriptor { Spec.resource }

    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.apiVersion = Spec.resource.apiVersion
        self.kind = Spec.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? Spec.resource.apiVersion
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? Spec.resource.kind
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decode(Spec.self, forKey: .spec)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
    }
}

/// An `EventRoute` object.
public typealias EventRoute = CustomResource<EventRouteSpec, EventRouteStatus>
/// A `CDEventTransform` object.
public typealias CDEventTransform = CustomResource<CDEventTransformSpec, CDEventTransformStatus>
/// A `MetricDefinition` object.
public typealias MetricDefinition = CustomResource<MetricDefinitionSpec, MetricDefinitionStatus>
