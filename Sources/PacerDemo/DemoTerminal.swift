import Foundation

/// Progress lines on standard output (`▸ applying CRDs… done`), written unbuffered so they show while a step runs.
struct DemoTerminal: Sendable {
    func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints `▸ title… `, runs `body`, then `done` (or the detail `body` returns, or `failed`).
    @discardableResult
    func step<T>(_ title: String, _ body: () async throws -> T, detail: (T) -> String? = { _ in nil }) async throws -> T {
        FileHandle.standardOutput.write(Data("▸ \(title)… ".utf8))
        do {
            let result = try await body()
            line(detail(result).map { "done (\($0))" } ?? "done")
            return result
        } catch {
            line("failed")
            throw error
        }
    }
}
