import Foundation
import PacerCore
import Synchronization

/// Bearer tokens read from a file (one per line, blank lines and `#` comments ignored), re-read when the file
/// changes, as a mounted Kubernetes Secret does when it is rotated (a symlink swap one level up: `FileSignature`
/// follows every link).
///
/// Tokens are compared in constant time and never logged.
public final class TokenFile: Sendable {
    public let path: String
    private let recheckInterval: Duration
    private struct Snapshot {
        var tokens: [[UInt8]] = []
        var signature: FileSignature?
        var checkedAt: ContinuousClock.Instant?
        var error: String?
    }
    private let snapshot = Mutex(Snapshot())

    /// - Parameter recheckInterval: how often, at most, the file's signature is looked at again.
    public init(path: String, recheckInterval: Duration = .seconds(1)) throws {
        self.path = path
        self.recheckInterval = recheckInterval
        try reload(force: true)
        if let error = snapshot.withLock({ $0.error }) {
            throw TokenFileError(message: error)
        }
    }

    /// True when `presented` equals one of the file's tokens.
    public func accepts(_ presented: String) -> Bool {
        try? reload(force: false)
        let candidate = Array(presented.utf8)
        let tokens = snapshot.withLock { $0.tokens }
        var matched = false
        for token in tokens where Self.constantTimeEquals(token, candidate) { matched = true }
        return matched
    }

    /// The file's current values (re-read when it changed), for receivers that verify an HMAC with them.
    public var values: [[UInt8]] {
        try? reload(force: false)
        return snapshot.withLock { $0.tokens }
    }

    /// Number of tokens currently loaded (for logs; never the tokens themselves).
    public var tokenCount: Int {
        try? reload(force: false)
        return snapshot.withLock { $0.tokens.count }
    }

    private func reload(force: Bool) throws {
        let now = ContinuousClock.now
        let due = snapshot.withLock { state -> Bool in
            guard !force, let checked = state.checkedAt else { return true }
            return now - checked >= recheckInterval
        }
        guard due else { return }
        let signature = FileSignature(path: path)
        let changed = snapshot.withLock { state -> Bool in
            state.checkedAt = now
            return force || state.signature != signature
        }
        guard changed else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            // Keep the last good tokens when a rotation is half-done; refuse all when there never were any.
            snapshot.withLock { $0.error = "cannot read ingest token file \(path)" }
            return
        }
        let tokens = Self.tokens(in: String(decoding: data, as: UTF8.self)).map { Array($0.utf8) }
        snapshot.withLock { state in
            state.tokens = tokens
            state.signature = signature
            state.error = tokens.isEmpty ? "ingest token file \(path) holds no token" : nil
        }
    }

    /// The tokens of a token file's text: one per line, surrounding blanks trimmed, blank lines and `#` comments
    /// skipped. The agent reads the token it sends with the same rule (`--forward-token-file`).
    public static func tokens(in text: String) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Compares without an early exit, so timing does not reveal how much of a token matched.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let length = max(a.count, b.count)
        for i in 0..<length {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && !a.isEmpty
    }
}

public struct TokenFileError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
