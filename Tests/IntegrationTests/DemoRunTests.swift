import Foundation
import PacerDemo
import TestSupport
import Testing

/// `pacer-demo --no-serve` end to end, as a user runs it: embedded PostgreSQL, kube-sim, the operator, the script;
/// the printed table must show the values computed independently from the script.
@Suite("pacer-demo", .enabled(if: DemoBinary.enabled), .serialized)
struct DemoRunTests {
    @Test(.timeLimit(.minutes(10)))
    func printsTheFourKeysPerAppAsComputedFromTheScript() async throws {
        let port = try EmbeddedPostgres.freeLoopbackPort()
        let result = try await Subprocess.run(
            [DemoBinary.path, "--no-serve", "--http-port", String(port)], workingDirectory: RepoPaths.root,
            timeout: .seconds(200))
        let output = result.stdout
        #expect(result.status == 0, "exit \(result.status)\n\(output)\n\(result.stderr.suffix(3000))")
        #expect(output.contains("importing 4 weeks of history"), "\(output)")
        #expect(output.contains("live in kube-sim: payments: roll out"), "\(output)")
        #expect(output.contains("shutting down"), "\(output)")
        _ = try #require(DemoBinary.scriptNow(in: output), "no script time in:\n\(output)")
        let expected = DemoExpectations()
        let table = DemoBinary.table(in: output)
        let expectedText = expected.rows.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))" }
        print("demo output:\n\(output)\nexpected:\n\(expectedText.joined(separator: "\n"))")
        #expect(Set(table.keys) == Set(DemoHistory.apps.map(\.name) + ["all"]), "\(output)")
        for (group, metrics) in expected.rows {
            for (metric, want) in metrics {
                let got = table[group]?[metric]
                let context = "\(group) \(metric): expected \(want), got \(String(describing: got))"
                if let value = want.value {
                    let shown = got?.value ?? .nan
                    #expect(abs(shown - DemoExpectations.displayed(metric, value)) <= 0.06, "\(context)")
                    #expect(got?.level == want.level, "\(context)")
                } else {
                    #expect(got?.value == nil, "\(context)")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aMissingManifestFolderIsAClearError() async throws {
        let folder = NSTemporaryDirectory() + "/pacer-demo-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try await Subprocess.run(
            [DemoBinary.path, "--no-serve", "--repo-root", folder], workingDirectory: folder, timeout: .seconds(120))
        #expect(result.status != 0)
        #expect(result.stderr.contains("has no crds/ and examples/ folders"), "\(result.stderr)")
    }

    @Test(.timeLimit(.minutes(10)))
    func missingPostgreSQLBinariesAreAClearError() async throws {
        let noBinaries = try await Subprocess.run(
            [DemoBinary.path, "--no-serve", "--http-port", String(try EmbeddedPostgres.freeLoopbackPort())],
            environment: ["PACER_PG_BINDIR": "/nonexistent/postgresql/bin"], workingDirectory: RepoPaths.root, timeout: .seconds(120))
        #expect(noBinaries.status == 1)
        #expect(noBinaries.stderr.contains("install postgresql (apt install postgresql) or pass --database-url"), "\(noBinaries.stderr)")
        #expect(noBinaries.stdout.contains("shutting down"), "cleanup runs after a failed start: \(noBinaries.stdout)")

    }
}
