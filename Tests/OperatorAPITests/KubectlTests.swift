import Foundation
import KubeSim
import Logging
import TestSupport
import Testing

/// `kubectl apply` of the CRDs and examples against an in-process kube-sim (real /usr/bin/kubectl).
@Suite("kubectl with the Pacer CRDs", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct KubectlTests {
    typealias Output = Subprocess.Result

    /// Starts a sim, runs `body` with a kubectl runner, stops the sim and removes the temp directory.
    static func withSim(_ body: (_ kubectl: ([String]) async throws -> Output, _ directory: URL) async throws -> Void) async throws {
        let sim = KubeSim(configuration: KubeSimConfiguration(), logger: Logger(label: "operator-api-test"))
        _ = try await sim.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-crds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try sim.writeKubeconfig(to: kubeconfig)
            try await body({ arguments in try await run(arguments, kubeconfig: kubeconfig, directory: directory) }, directory)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    static func run(_ arguments: [String], kubeconfig: String, directory: URL) async throws -> Output {
        let kubectl = Kubectl(
            kubeconfig: kubeconfig, cacheDirectory: directory.appendingPathComponent("cache").path, workingDirectory: Repo.root.path)
        return try await kubectl(arguments)
    }

    @Test("apply crds/ then examples/ and examples/samples/; get prints the printer columns; invalid specs are refused")
    func applyEverything() async throws {
        try await Self.withSim { kubectl, directory in
            let crds = try await kubectl(["apply", "-f", Repo.url("crds").path])
            #expect(crds.status == 0, "\(crds.stderr)")
            #expect(crds.stdout.contains("customresourcedefinition.apiextensions.k8s.io/metricdefinitions.pacer.dev created"))

            let examples = try await kubectl(["apply", "-f", Repo.url("examples").path])
            #expect(examples.status == 0, "\(examples.stderr)")
            #expect(!examples.stderr.contains("unknown field"), "\(examples.stderr)")
            #expect(examples.stdout.contains("metricdefinition.pacer.dev/deployment-frequency created"))
            #expect(examples.stdout.contains("eventroute.pacer.dev/deployment-rollback created"))
            #expect(examples.stdout.contains("cdeventtransform.pacer.dev/deployment-change-merged created"))

            let samples = try await kubectl(["apply", "-f", Repo.url("examples/samples").path])
            #expect(samples.status == 0, "\(samples.stderr)")

            let table = try await kubectl(["get", "metricdefinitions"])
            #expect(table.status == 0, "\(table.stderr)")
            let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                == "NAME METRIC VALUE UNIT LEVEL SAMPLES WINDOW LAST COMPUTED READY")
            #expect(table.stdout.contains("deploymentFrequency"))

            let window = try await kubectl(["get", "md", "lead-time-for-changes", "-o", "jsonpath={.spec.window} {.spec.buckets} {.spec.levels}"])
            #expect(window.stdout == "30d [\"day\",\"week\",\"month\",\"year\"] dora-2024", "\(window.stderr)")

            let routes = try await kubectl(["get", "eventroutes"])
            #expect(routes.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init) == ["NAME", "TRANSFORMS", "MATCHED", "READY", "AGE"])
            let transforms = try await kubectl(["get", "cdt"])
            #expect(transforms.stdout.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["NAME", "OUTPUT", "TYPE", "PRODUCED", "FAILED", "READY", "AGE"])
            let all = try await kubectl(["get", "pacer", "-o", "name"])
            #expect(all.stdout.split(separator: "\n").count >= 25, "\(all.stdout)\(all.stderr)")

            let invalidPath = directory.appendingPathComponent("invalid.yaml")
            try """
                apiVersion: pacer.dev/v1alpha1
                kind: MetricDefinition
                metadata: {name: broken}
                spec: {metric: velocity, window: 1month, levels: dora-2019}
                ---
                apiVersion: pacer.dev/v1alpha1
                kind: MetricDefinition
                metadata: {name: broken-floor}
                spec: {metric: leadTimeForChanges, minSamples: 0}
                ---
                apiVersion: pacer.dev/v1alpha1
                kind: CDEventTransform
                metadata: {name: broken}
                spec: {output: {type: dev.cdevents.service.exploded.0.3.0}, subject: {id: data.id}}
                """.write(to: invalidPath, atomically: true, encoding: .utf8)
            let refused = try await kubectl(["apply", "-f", invalidPath.path])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("spec.metric: Unsupported value: \"velocity\""), "\(refused.stderr)")
            #expect(refused.stderr.contains("spec.window in body should match '^[0-9]+[dhw]$'"), "\(refused.stderr)")
            #expect(refused.stderr.contains("spec.levels: Unsupported value: \"dora-2019\""), "\(refused.stderr)")
            #expect(refused.stderr.contains("spec.output.type in body should match"), "\(refused.stderr)")
            #expect(refused.stderr.contains("spec.minSamples"), "\(refused.stderr)")
        }
    }
}
