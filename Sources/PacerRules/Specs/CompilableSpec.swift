import PacerCore

/// A custom resource spec and the form the pipeline runs. ``compile(json:)`` is the one path from a stored
/// `spec` to a compiled rule: the reconciler, the transform stage, the calculator and the read API all use it.
public protocol CompilableSpec: Decodable, Sendable {
    associatedtype Compiled: Sendable
    /// Checks every field and returns the compiled form, or every problem with its field path.
    func compile() -> Result<Compiled, SpecErrors>
}

extension CompilableSpec {
    /// Decodes `json` as this spec and compiles it; a spec that does not decode is one error at `spec`.
    public static func compile(json: JSONValue) -> Result<Compiled, SpecErrors> {
        let spec: Self
        do {
            spec = try json.decode(as: Self.self)
        } catch {
            return .failure(SpecErrors([SpecError(path: "spec", "does not decode: \(error)")]))
        }
        return spec.compile()
    }
}

extension EventRouteSpec: CompilableSpec {}
extension CDEventTransformSpec: CompilableSpec {}
extension MetricDefinitionSpec: CompilableSpec {}
