import Foundation
import PacerCore

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

