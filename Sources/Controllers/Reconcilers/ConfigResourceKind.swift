import KubeCore
import OperatorAPI
import PacerRules
import PacerCore

/// What a ``ConfigReconciler`` needs to know about one of Pacer's custom resource kinds: its API resource,
/// its configuration table, and how to compile its spec.
public struct ConfigResourceKind: Sendable {
    public var resource: ResourceDescriptor
    public var kind: PipelineConfigKind
    /// Decodes and compiles a `spec`; nil when it is valid, otherwise every problem with its field path.
    public var check: @Sendable (JSONValue) -> SpecErrors?

    public init(resource: ResourceDescriptor, kind: PipelineConfigKind, check: @escaping @Sendable (JSONValue) -> SpecErrors?) {
        self.resource = resource
        self.kind = kind
        self.check = check
    }

    public static let eventRoute = ConfigResourceKind(resource: .eventRoutes, kind: .eventRoutes) { spec in
        compileErrors(spec, as: EventRouteSpec.self) { $0.compile().map { _ in () } }
    }

    public static let cdEventTransform = ConfigResourceKind(resource: .cdEventTransforms, kind: .cdEventTransforms) { spec in
        compileErrors(spec, as: CDEventTransformSpec.self) { $0.compile().map { _ in () } }
    }

    public static let metricDefinition = ConfigResourceKind(resource: .metricDefinitions, kind: .metricDefinitions) { spec in
        compileErrors(spec, as: MetricDefinitionSpec.self) { $0.compile().map { _ in () } }
    }

    /// The three kinds, in the order the app starts their controllers.
    public static let all: [ConfigResourceKind] = [.eventRoute, .cdEventTransform, .metricDefinition]

    private static func compileErrors<Spec: Decodable>(
        _ json: JSONValue, as type: Spec.Type, _ compile: (Spec) -> Result<Void, SpecErrors>
    ) -> SpecErrors? {
        let spec: Spec
        do {
            spec = try json.decode(as: Spec.self)
        } catch {
            return SpecErrors([SpecError(path: "spec", "does not decode: \(error)")])
        }
        if case .failure(let errors) = compile(spec) { return errors }
        return nil
    }
}
