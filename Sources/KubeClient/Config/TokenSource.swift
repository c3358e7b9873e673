import Foundation
import PacerCore
import Synchronization

/// A bearer token read from a file and re-read when the file changes (`FileSignature`: a projected service-account
/// token's volume swaps a symlink one level up), or at least every ``maximumAge``.
final class TokenSource: Sendable {
    let path: String
    let maximumAge: Duration
    private let state: Mutex<State>

    struct State {
        var token: String
        var signature: FileSignature?
        var readAt: ContinuousClock.Instant
    }

    init(path: String, maximumAge: Duration = .seconds(60)) throws(KubeConfigError) {
        self.path = path
        self.maximumAge = maximumAge
        guard let token = Self.read(path) else {
            throw KubeConfigError(source: path, message: "token file not readable or empty")
        }
        state = Mutex(State(token: token, signature: FileSignature(path: path), readAt: .now))
    }

    /// The current token; cheap (one stat) when nothing changed.
    func token() -> String {
        state.withLock { state in
            let now = ContinuousClock.now
            let signature = FileSignature(path: path)
            if signature != state.signature || now - state.readAt >= maximumAge, let fresh = Self.read(path) {
                state.token = fresh
                state.signature = signature
                state.readAt = now
            }
            return state.token
        }
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
