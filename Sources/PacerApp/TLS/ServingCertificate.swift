import Foundation
import Logging
import NIOSSL
import PacerCore
import Synchronization

/// Pacer's serving certificate and key, read from PEM files (`--tls-cert-file`, `--tls-key-file`) and read again
/// when either file changes, as cert-manager or a rotated Secret volume change them, without a restart.
///
/// Each new connection takes the current TLS context (connections already open keep theirs). The files are looked
/// at again at most once per `recheckInterval`. A change that does not load (a half-written pair, a key that does
/// not match the certificate) is logged and the last good pair is kept, so a bad rotation never stops serving.
public final class ServingCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let recheckInterval: Duration
    private let logger: Logger
    private struct State {
        var context: NIOSSLContext
        var signatures: [FileSignature?]
        var checkedAt: ContinuousClock.Instant
        var reloads = 0
    }
    private let state: Mutex<State>

    /// Loads the pair; throws a message naming the file when it cannot be used (Pacer does not start then).
    public init(certificatePath: String, keyPath: String, recheckInterval: Duration = .seconds(1), logger: Logger) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.recheckInterval = recheckInterval
        self.logger = logger
        let signatures = [FileSignature(path: certificatePath), FileSignature(path: keyPath)]
        let context = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        state = Mutex(State(context: context, signatures: signatures, checkedAt: .now))
    }

    /// How many times a changed pair was loaded since start (for tests and logs).
    public var reloads: Int { state.withLock { $0.reloads } }

    /// The context for a new connection: the current pair, reloaded first when a file changed.
    public func current() -> NIOSSLContext {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            guard now - state.checkedAt >= recheckInterval else { return false }
            state.checkedAt = now
            return true
        }
        if due { reloadIfChanged() }
        return state.withLock { $0.context }
    }

    private func reloadIfChanged() {
        let signatures = [FileSignature(path: certificatePath), FileSignature(path: keyPath)]
        guard state.withLock({ $0.signatures != signatures }) else { return }
        do {
            let context = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
            state.withLock { state in
                state.context = context
                state.signatures = signatures
                state.reloads += 1
            }
            logger.notice("serving certificate reloaded", metadata: ["certificate": "\(certificatePath)"])
        } catch {
            // Remember the signatures, so a bad pair is logged once, not on every connection.
            state.withLock { $0.signatures = signatures }
            logger.error("serving certificate changed but cannot be loaded; still serving the previous one", metadata: ["error": "\(error)"])
        }
    }

    static func load(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ServingCertificateError("cannot read the TLS certificate \(certificatePath) (PEM expected): \(error)")
        }
        guard !chain.isEmpty else { throw ServingCertificateError("the TLS certificate file \(certificatePath) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ServingCertificateError("cannot read the TLS private key \(keyPath) (unencrypted PEM expected): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServingCertificateError("the TLS certificate \(certificatePath) and key \(keyPath) cannot be used together: \(error)")
        }
    }
}

public struct ServingCertificateError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
