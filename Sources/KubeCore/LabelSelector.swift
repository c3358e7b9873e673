/// `metav1.LabelSelector` (as found in `Deployment.spec.selector`) and a builder for the
/// `labelSelector` query string (`app=web,tier in (a,b),!legacy`).
public struct LabelSelector: Codable, Sendable, Hashable, CustomStringConvertible {
    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    /// One `matchExpressions` entry: operator `In`, `NotIn`, `Exists`, `DoesNotExist`.
    public struct Requirement: Codable, Sendable, Hashable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Builds a selector from terms: `LabelSelector(.equals("app", "web"), .exists("tier"))`.
    public init(_ terms: Term...) {
        self.init(terms: terms)
    }

    public init(terms: [Term]) {
        var labels: [String: String] = [:]
        var expressions: [Requirement] = []
        for term in terms {
            switch term {
            case .equals(let key, let value): labels[key] = value
            case .notEquals(let key, let value): expressions.append(Requirement(key: key, operator: "NotIn", values: [value]))
            case .in(let key, let values): expressions.append(Requirement(key: key, operator: "In", values: values))
            case .notIn(let key, let values): expressions.append(Requirement(key: key, operator: "NotIn", values: values))
            case .exists(let key): expressions.append(Requirement(key: key, operator: "Exists"))
            case .doesNotExist(let key): expressions.append(Requirement(key: key, operator: "DoesNotExist"))
            }
        }
        self.init(matchLabels: labels.isEmpty ? nil : labels, matchExpressions: expressions.isEmpty ? nil : expressions)
    }

    /// One term of the builder.
    public enum Term: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)
    }

    /// The query-string form, with a stable order (labels sorted by key, then expressions).
    public var description: String {
        var parts: [String] = []
        for (key, value) in (matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) { parts.append("\(key)=\(value)") }
        for requirement in matchExpressions ?? [] {
            let values = (requirement.values ?? []).joined(separator: ",")
            switch requirement.operator {
            case "In": parts.append("\(requirement.key) in (\(values))")
            case "NotIn":
                if let only = requirement.values, only.count == 1 {
                    parts.append("\(requirement.key)!=\(only[0])")
                } else {
                    parts.append("\(requirement.key) notin (\(values))")
                }
            case "Exists": parts.append(requirement.key)
            case "DoesNotExist": parts.append("!\(requirement.key)")
            default: parts.append("\(requirement.key) \(requirement.operator.lowercased()) (\(values))")
            }
        }
        return parts.joined(separator: ",")
    }

    /// True when the labels satisfy every term (an empty selector matches everything).
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] {
            let present = labels[requirement.key]
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In": if present == nil || !values.contains(present!) { return false }
            case "NotIn": if let present, values.contains(present) { return false }
            case "Exists": if present == nil { return false }
            case "DoesNotExist": if present != nil { return false }
            default: return false
            }
        }
        return true
    }
}
