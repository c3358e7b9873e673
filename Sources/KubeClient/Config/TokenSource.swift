import Foundation
import Synchronization

/// A bearer token read from a file and re-read when the file's modification time changes,
/// or at least every ``maximumAge`` (projected service-account tokens rotate in place).
final class TokenSource: Sendable {
    let path: String
    let maximumAge: Duration
    private let state: Mutex<State>

    struct State {
        var token: String
        var modified: Date?
        var readAt: ContinuousClock.Instant
    }

    init(path: String, maximumAge: Duration = .seconds(60)) throws(KubeConfigError) {
        self.path = path
        self.maximumAge = maximumAge
        guard let token = Self.read(path) else {
            throw KubeConfigError(source: path, message: "token file not readable or empty")
        }
        state = Mutex(State(token: token, modified: Self.modificationDate(path), readAt: .now))
    }

    /// The current token; cheap (one stat) when nothing changed.
    func token() -> String {
        state.withLock { state in
            let now = ContinuousClock.now
            let modified = Self.modificationDate(path)
            if modified != state.modified || now - state.readAt >= maximumAge, let fresh = Self.read(path) {
                state.token = fresh
                state.modified = modified
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

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
