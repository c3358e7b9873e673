import Foundation

/// Where the demo finds the manifests it applies: the folder with `crds/` and `examples/`.
enum DemoRepoRoot {
    /// `explicit`, else the working directory, else an ancestor of the executable.
    static func find(_ explicit: String?) throws -> String {
        func holdsManifests(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: path + "/crds") && FileManager.default.fileExists(atPath: path + "/examples")
        }
        if let explicit {
            guard holdsManifests(explicit) else { throw DemoError("--repo-root \(explicit) has no crds/ and examples/ folders") }
            return explicit
        }
        let cwd = FileManager.default.currentDirectoryPath
        if holdsManifests(cwd) { return cwd }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? cwd).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if holdsManifests(url.path) { return url.path }
        }
        throw DemoError(
            "crds/ and examples/ not found in \(cwd) or above the pacer-demo executable: run pacer-demo from the repository root or pass --repo-root")
    }
}
