import Foundation
import PacerCore
import Testing

@Suite("FileSignature follows links, as a rotated Secret volume needs")
struct FileSignatureTests {
    @Test func aSecretVolumeRotationChangesTheSignatureAndNothingElseDoes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("signature-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // token -> ..data/token, ..data -> ..v1: the kubelet's layout.
        for version in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: "\(root)/..\(version)", withIntermediateDirectories: true)
            // Same size in both versions, so only the link and the inode tell them apart.
            try "token-\(version)\n".write(toFile: "\(root)/..\(version)/token", atomically: false, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: "\(root)/..data", withDestinationPath: "..v1")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/token", withDestinationPath: "..data/token")

        let before = try #require(FileSignature(path: "\(root)/token"))
        #expect(before.resolvedPath.hasSuffix("/..v1/token"))
        #expect(before.size == 9)  // "token-v1\n"
        #expect(FileSignature(path: "\(root)/token") == before)  // nothing changed, nothing seen

        // The swap: the path's own link (token -> ..data/token) is unchanged.
        try FileManager.default.removeItem(atPath: "\(root)/..data")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/..data", withDestinationPath: "..v2")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/token") == "..data/token")
        let after = try #require(FileSignature(path: "\(root)/token"))
        #expect(after != before)
        #expect(after.resolvedPath.hasSuffix("/..v2/token"))

        // A dangling link has no signature.
        try FileManager.default.removeItem(atPath: "\(root)/..v2")
        #expect(FileSignature(path: "\(root)/token") == nil)
    }
}
