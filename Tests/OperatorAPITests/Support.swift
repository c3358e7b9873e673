import Foundation
import PacerCore
import Yams

/// Paths in this repository and YAML loading for the tests.
enum Repo {
    /// The repository root (three levels above this file).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The `.yaml` files directly in a folder of the repository, sorted.
    static func yamlFiles(in folder: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url(folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Every non-empty YAML document of a file, as JSON.
    static func documents(_ file: URL) throws -> [JSONValue] {
        try YAML.documents(String(contentsOf: file, encoding: .utf8))
    }
}

/// YAML → JSONValue with the YAML 1.1 core-schema tag resolution kubectl uses (quoted scalars stay strings).
enum YAML {
    struct ShapeError: Error, CustomStringConvertible { var description: String }

    static func documents(_ text: String) throws -> [JSONValue] {
        var sequence = try Yams.compose_all(yaml: text)
        var result: [JSONValue] = []
        while let node = sequence.next() {
            let value = try convert(node)
            if !value.isNull { result.append(value) }
        }
        if let error = sequence.error { throw error }
        return result
    }

    static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw ShapeError(description: "mapping keys must be scalars") }
                object[name] = try convert(value)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .alias:
            throw ShapeError(description: "unresolved YAML alias")
        }
    }
}
