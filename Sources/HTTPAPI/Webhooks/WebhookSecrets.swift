import Foundation
import Synchronization

/// The webhook receivers' secrets: one file per receiver in a directory (a mounted Kubernetes Secret), named after
/// the receiver (`github`, `gitlab`, `pagerduty`, `alertmanager`, `argocd`, `flux`, `generic-<name>`), one secret or
/// token per line (blank lines and `#` comments ignored; several lines during a rotation).
///
/// A receiver whose file is absent or holds nothing is off. Files are re-read when they change (checked at most
/// once per `recheckInterval`), so adding, rotating or removing a key of the Secret needs no restart.
public final class WebhookSecrets: Sendable {
    public let directory: String
    private let recheckInterval: Duration
    private let files = Mutex<[String: TokenFile]>([:])

    public init(directory: String, recheckInterval: Duration = .seconds(1)) {
        self.directory = directory
        self.recheckInterval = recheckInterval
    }

    /// The file a receiver reads.
    public func path(for receiver: String) -> String {
        (directory as NSString).appendingPathComponent(receiver)
    }

    /// The receiver's current secrets, or nil when it is off (no file, or no value in it).
    public func secrets(for receiver: String) -> [[UInt8]]? {
        let path = path(for: receiver)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        if let file = files.withLock({ $0[receiver] }) {
            let values = file.values
            return values.isEmpty ? nil : values
        }
        guard let file = try? TokenFile(path: path, recheckInterval: recheckInterval) else { return nil }
        files.withLock { $0[receiver] = file }
        let values = file.values
        return values.isEmpty ? nil : values
    }
}
