import EventModel
import Expressions
import PacerCore

/// A validated EventRoute spec, free of Kubernetes types: filters, the compiled `when`, the transform names.
public struct CompiledRoute: Sendable {
    /// ANDed together; empty matches every event.
    public let filters: [EventFilter]
    /// A bool expression over the CloudEvent (see `Activation.cloudEvent`).
    public let when: CompiledExpression?
    /// CDEventTransform names, in spec order, without duplicates.
    public let transforms: [String]

    /// Whether `event` passes the filters (the `when` expression is not evaluated; see ``matches(_:activation:)``).
    public func passesFilters(_ event: CloudEvent) -> Bool {
        filters.allSatisfy { $0.matches(event) }
    }

    /// Filters first, then `when` over `activation` (the event's expression variables).
    /// A `when` that fails to evaluate does not match; the error is returned for counting.
    public func matches(_ event: CloudEvent, activation: @autoclosure () -> [String: Value]) -> Result<Bool, EvaluationError> {
        guard passesFilters(event) else { return .success(false) }
        guard let when else { return .success(true) }
        do {
            return .success(try when.evaluateBool(activation()))
        } catch {
            return .failure(error)
        }
    }
}

extension EventRouteSpec {
    /// Validates the spec and compiles its filters and `when`; every problem is reported with its field path.
    public func compile() -> Result<CompiledRoute, SpecErrors> {
        var checker = SpecChecker()
        var compiledFilters: [EventFilter] = []
        for (index, json) in (filters ?? []).enumerated() {
            do {
                compiledFilters.append(try EventFilter(json: json, path: "spec.filters[\(index)]"))
            } catch {
                checker.errors += error.errors
            }
        }
        let compiledWhen = when.flatMap { checker.compile($0, path: "spec.when", variables: nil, expecting: .bool) }
        if transforms.isEmpty { checker.fail("spec.transforms", "must name at least one CDEventTransform") }
        var seen = Set<String>()
        var names: [String] = []
        for (index, name) in transforms.enumerated() {
            if !KubernetesNames.isDNSSubdomain(name) {
                checker.fail("spec.transforms[\(index)]", "\"\(name)\" is not a valid object name (lowercase RFC 1123 subdomain)")
            } else if seen.insert(name).inserted {
                names.append(name)
            }
        }
        return checker.result(CompiledRoute(filters: compiledFilters, when: compiledWhen, transforms: names))
    }
}

/// Kubernetes object-name rules.
enum KubernetesNames {
    /// RFC 1123 subdomain: at most 253 characters of `a-z0-9-.`, alphanumeric at both ends.
    static func isDNSSubdomain(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        func alnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
