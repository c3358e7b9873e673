import Foundation
import Hummingbird
import Logging
import PacerApp
import PacerCore
import ServiceLifecycle
import TestSupport
import Testing

/// A CA and serving certificates made with the `openssl` command, in a fresh folder under `.tmp/`.
private struct CertificateAuthority {
    let directory: String

    init() async throws {
        directory = RepoPaths.root + "/.tmp/tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await Self.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=pacer test CA", "-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.crt")
    }

    /// A certificate for 127.0.0.1 with the common name `name`, signed by the CA: (certificate, key) paths.
    func issue(_ name: String) async throws -> (String, String) {
        let key = "\(directory)/\(name).key", request = "\(directory)/\(name).csr", certificate = "\(directory)/\(name).crt"
        try await Self.openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(name)",
            "-keyout", key, "-out", request)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
        try await Self.openssl("x509", "-req", "-in", request, "-CA", "\(directory)/ca.crt", "-CAkey", "\(directory)/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "\(directory)/\(name).ext", "-out", certificate)
        return (certificate, key)
    }

    @discardableResult
    static func openssl(_ arguments: String...) async throws -> Subprocess.Result {
        let result = try await Subprocess.run(["/usr/bin/openssl"] + arguments)
        guard result.status == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One TLS connection with `openssl s_client`, verifying the server against the CA: the subject it presented and
/// what it answered to `GET /healthz`.
private func fetchHealth(port: Int, ca: String) async throws -> (subject: String, answer: String) {
    let result = try await Subprocess.run(
        ["/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", ca, "-verify_return_error", "-verify_ip", "127.0.0.1",
         "-ign_eof"],
        stdin: Data("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8), timeout: .seconds(30))
    let subject = result.stdout.split(separator: "\n").first { $0.hasPrefix("subject=") }.map(String.init) ?? ""
    return (subject, result.stdout + result.stderr)
}

@Suite("Pacer's port serves TLS and follows certificate rotation (issue 15)")
struct ServingTLSTests {
    /// Runs the HTTP application (health routes only) with the given pair on a free port.
    func withServer(certificate: String, key: String, _ body: @Sendable (Int) async throws -> Void) async throws {
        var configuration = PacerConfiguration(databaseURL: "postgres://unused@127.0.0.1:1/unused")
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.tlsCertificateFile = certificate
        configuration.tlsKeyFile = key
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        let ports = AsyncStream<Int>.makeStream()
        let app = try PacerServer(configuration: configuration, logger: Logger(label: "tls-test")).application(router: router) { port in
            ports.continuation.yield(port)
        }
        try await withRunning(app) {
            var iterator = ports.stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
            try await body(port)
        }
    }

    @Test func servesHTTPSAndPicksUpARotatedSecretWithoutARestart() async throws {
        let ca = try await CertificateAuthority()
        defer { try? FileManager.default.removeItem(atPath: ca.directory) }
        // Laid out as a Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> a timestamped folder.
        let volume = ca.directory + "/volume"
        @Sendable func mount(_ name: String, certificate: String, key: String) throws {
            let folder = "\(volume)/..\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: certificate, toPath: folder + "/tls.crt")
            try FileManager.default.copyItem(atPath: key, toPath: folder + "/tls.key")
            // The atomic swap kubelet does: a new link renamed over ..data.
            try? FileManager.default.removeItem(atPath: volume + "/..data_tmp")
            try FileManager.default.createSymbolicLink(atPath: volume + "/..data_tmp", withDestinationPath: "..\(name)")
            guard rename(volume + "/..data_tmp", volume + "/..data") == 0 else { throw TestFailure("rename failed") }
        }
        let (firstCertificate, firstKey) = try await ca.issue("first")
        try mount("first", certificate: firstCertificate, key: firstKey)
        try FileManager.default.createSymbolicLink(atPath: volume + "/tls.crt", withDestinationPath: "..data/tls.crt")
        try FileManager.default.createSymbolicLink(atPath: volume + "/tls.key", withDestinationPath: "..data/tls.key")
        let (secondCertificate, secondKey) = try await ca.issue("second")

        try await withServer(certificate: volume + "/tls.crt", key: volume + "/tls.key") { port in
            let first = try await fetchHealth(port: port, ca: ca.directory + "/ca.crt")
            #expect(first.subject.contains("CN=first") || first.subject.contains("CN = first"), "\(first.answer)")
            #expect(first.answer.contains("HTTP/1.1 200"), "\(first.answer)")
            #expect(first.answer.contains("Verification: OK") || first.answer.contains("Verify return code: 0 (ok)"), "\(first.answer)")

            // Plain HTTP on the TLS port gets no HTTP answer.
            let plain = try await Subprocess.run([
                "/usr/bin/env", "python3", "-c",
                "import urllib.request,sys\ntry:\n print(urllib.request.urlopen(sys.argv[1], timeout=10).status)\nexcept Exception as e:\n print('refused', type(e).__name__)",
                "http://127.0.0.1:\(port)/healthz",
            ])
            #expect(plain.stdout.hasPrefix("refused"), "\(plain.stdout)")

            // The Secret is rotated: new connections get the new certificate, without a restart.
            try mount("second", certificate: secondCertificate, key: secondKey)
            let rotated = try await waitUntil(timeout: .seconds(60)) {
                let answer = try await fetchHealth(port: port, ca: ca.directory + "/ca.crt")
                return answer.subject.contains("second") ? answer : nil
            }
            #expect(rotated.answer.contains("HTTP/1.1 200"), "\(rotated.answer)")

            // A broken rotation (a certificate that is not PEM) is logged and the last good pair keeps serving.
            try mount("broken", certificate: ca.directory + "/second.csr", key: secondKey)
            try FileManager.default.removeItem(atPath: volume + "/..broken/tls.crt")
            try "not a certificate\n".write(toFile: volume + "/..broken/tls.crt", atomically: true, encoding: .utf8)
            for _ in 0..<3 {
                let answer = try await fetchHealth(port: port, ca: ca.directory + "/ca.crt")
                #expect(answer.subject.contains("second"), "\(answer.answer)")
                #expect(answer.answer.contains("HTTP/1.1 200"), "\(answer.answer)")
            }
        }
    }

    @Test func aPairThatCannotBeUsedStopsStartUpWithTheReason() async throws {
        let ca = try await CertificateAuthority()
        defer { try? FileManager.default.removeItem(atPath: ca.directory) }
        let (certificate, _) = try await ca.issue("one")
        let (_, otherKey) = try await ca.issue("two")
        #expect {
            _ = try ServingCertificate(certificatePath: certificate, keyPath: otherKey, logger: Logger(label: "tls-test"))
        } throws: { error in
            "\(error)".contains("cannot be used together")
        }
        #expect {
            _ = try ServingCertificate(certificatePath: ca.directory + "/missing.crt", keyPath: otherKey, logger: Logger(label: "tls-test"))
        } throws: { error in
            "\(error)".contains("cannot read the TLS certificate \(ca.directory)/missing.crt")
        }
    }
}

/// Polls `probe` until it returns a value, or fails after `timeout`.
private func waitUntil<T: Sendable>(timeout: Duration, _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw TestFailure("condition not met within \(timeout)")
}
