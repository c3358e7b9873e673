import Foundation
import PacerCore

/// The JSONPath subset used by `additionalPrinterColumns`: `.a.b`, `.a[0].b`, `.a[*].b`,
/// `.status.conditions[?(@.type=="Ready")].status`. An expression that does not parse finds nothing.
struct JSONPathLite: Sendable {
    enum Step: Sendable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    var steps: [Step] = []
    var valid = true

    init(_ expression: String) {
        var text = Substring(expression.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("{"), text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        while let first = text.first {
            if first == "." {
                text = text.dropFirst()
                let name = text.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { valid = false; return }
                steps.append(.field(String(name)))
                text = text.dropFirst(name.count)
            } else if first == "[" {
                guard let close = text.firstIndex(of: "]") else { valid = false; return }
                var inner = text[text.index(after: text.startIndex)..<close]
                text = text[text.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner) {
                    steps.append(.index(index))
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")") {
                    inner = inner.dropFirst(4).dropLast()
                    let parts = inner.components(separatedBy: "==")
                    guard parts.count == 2 else { valid = false; return }
                    var value = parts[1].trimmingCharacters(in: .whitespaces)
                    if value.count >= 2, value.first == "\"" || value.first == "'" { value = String(value.dropFirst().dropLast()) }
                    steps.append(.filter(path: parts[0].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init), value: value))
                } else if inner.hasPrefix("'"), inner.hasSuffix("'"), inner.count >= 2 {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else {
                    valid = false
                    return
                }
            } else {
                valid = false
                return
            }
        }
    }

    func find(in root: JSONValue) -> [JSONValue] {
        guard valid else { return [] }
        var current: [JSONValue] = [root]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .field(let name): if let child = value[name] { next.append(child) }
                case .index(let i):
                    if let array = value.arrayValue {
                        let index = i < 0 ? array.count + i : i
                        if array.indices.contains(index) { next.append(array[index]) }
                    }
                case .all:
                    if let array = value.arrayValue { next += array } else if let object = value.objectValue { next += object.keys.sorted().compactMap { object[$0] } }
                case .filter(let path, let wanted):
                    for item in value.arrayValue ?? [] {
                        guard let found = item[path: path] else { continue }
                        let text = found.stringValue ?? found.jsonString()
                        if text == wanted { next.append(item) }
                    }
                }
            }
            current = next
        }
        return current
    }
}
