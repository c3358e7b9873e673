import Foundation

/// TLS material for kube-sim, made with the `openssl` CLI: a CA (`ca.crt`/`ca.key`), a serving certificate for
/// `127.0.0.1`/`localhost` signed by it (IP and DNS SANs, serverAuth), and client certificates on demand. Client
/// certificates signed by the CA authenticate as the apiserver maps them: subject CN is the user, each O a group.
public struct KubeSimTLS: Sendable {
    public let directory: String
    public var caCertificatePath: String { directory + "/ca.crt" }
    public var caKeyPath: String { directory + "/ca.key" }
    public var certificatePath: String { directory + "/server.crt" }
    public var keyPath: String { directory + "/server.key" }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Uses the files in `directory`, generating the CA and serving certificate when `ca.crt` is missing.
    public static func generate(in directory: String) throws -> KubeSimTLS {
        let tls = KubeSimTLS(directory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard !FileManager.default.fileExists(atPath: tls.caCertificatePath) else { return tls }
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "365",
            "-keyout", tls.caKeyPath, "-out", tls.caCertificatePath, "-subj", "/CN=kube-sim-ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try tls.sign(
            name: "server", subject: "/CN=kube-sim",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
        return tls
    }

    /// A client certificate for `user` in `groups`, signed by the CA: (certificate PEM path, key PEM path).
    public func clientCertificate(user: String, groups: [String] = []) throws -> (certificate: String, key: String) {
        let name = "client-" + user.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let subject = "/CN=\(user)" + groups.map { "/O=\($0)" }.joined()
        try sign(name: name, subject: subject, extensions: "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
        return (directory + "/\(name).crt", directory + "/\(name).key")
    }

    private func sign(name: String, subject: String, extensions: String) throws {
        let base = directory + "/" + name
        try extensions.write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
            "-out", base + ".csr", "-subj", subject,
        ])
        try Self.openssl([
            "x509", "-req", "-in", base + ".csr", "-CA", caCertificatePath, "-CAkey", caKeyPath, "-CAcreateserial",
            "-days", "365", "-out", base + ".crt", "-extfile", base + ".ext",
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "kube-sim TLS: cannot run /usr/bin/openssl: \(error)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "kube-sim TLS: openssl \(arguments.first ?? "") failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}
