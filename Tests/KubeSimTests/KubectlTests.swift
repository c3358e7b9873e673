import Foundation
import PacerCore
import TestSupport
import Testing
import Yams

/// Drives the real kubectl (v1.32, /usr/bin/kubectl) against an in-process kube-sim.
@Suite("kubectl against kube-sim", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct KubectlTests {
    @Test("apply a CRD and custom resources, print columns, refuse invalid ones, delete")
    func customResources() async throws {
        try await SimFixture.with { sim in
            let crd = try sim.writeFile("crd.yaml", Fixtures.widgetCRD)
            let applied = try await sim.kubectl("apply", "-f", crd)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("customresourcedefinition.apiextensions.k8s.io/widgets.test.pacer.dev created"))

            let widgets = try sim.writeFile(
                "widgets.yaml",
                """
                apiVersion: test.pacer.dev/v1
                kind: Widget
                metadata: {name: alpha}
                spec: {color: red, window: 7d}
                ---
                apiVersion: test.pacer.dev/v1
                kind: Widget
                metadata: {name: beta}
                spec: {color: blue, size: 5}
                """)
            let created = try await sim.kubectl("apply", "-f", widgets)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("widget.test.pacer.dev/alpha created"))

            let table = try await sim.kubectl("get", "widgets")
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAME", "COLOR", "SIZE", "READY", "AGE"])
            #expect(lines.dropFirst().first?.prefix(3) == ["alpha", "red", "3"])  // size defaulted from the schema
            #expect(lines.dropFirst(2).first?.prefix(3) == ["beta", "blue", "5"])

            let short = try await sim.kubectl("get", "wd", "beta", "-o", "jsonpath={.spec.size}")
            #expect(short.status == 0 && short.stdout == "5", "\(short.stderr)")

            let again = try await sim.kubectl("apply", "-f", widgets)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("widget.test.pacer.dev/alpha unchanged"))
            #expect(again.stdout.contains("widget.test.pacer.dev/beta unchanged"))
            #expect(!again.stderr.contains("warning"), "\(again.stderr)")

            let invalid = try sim.writeFile(
                "invalid.yaml",
                """
                apiVersion: test.pacer.dev/v1
                kind: Widget
                metadata: {name: gamma}
                spec: {color: purple, window: soon}
                """)
            let refused = try await sim.kubectl("apply", "-f", invalid)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("spec.color: Unsupported value: \"purple\""), "\(refused.stderr)")
            #expect(refused.stderr.contains("spec.window in body should match '^[0-9]+[dhw]$'"), "\(refused.stderr)")

            let unknown = try sim.writeFile(
                "unknown.yaml", "apiVersion: test.pacer.dev/v1\nkind: Widget\nmetadata: {name: delta}\nspec: {color: red, foo: bar}\n")
            let strict = try await sim.kubectl("apply", "-f", unknown)
            #expect(strict.status != 0)
            #expect(strict.stderr.contains("unknown field \"spec.foo\""), "\(strict.stderr)")

            let deleted = try await sim.kubectl("delete", "widget", "alpha")
            #expect(deleted.status == 0, "\(deleted.stderr)")
            let remaining = try await sim.kubectl("get", "wd", "-o", "name")
            #expect(remaining.stdout == "widget.test.pacer.dev/beta\n")
        }
    }

    @Test("create a deployment, set image, rollout status, -o json/yaml, delete")
    func deploymentRollout() async throws {
        try await SimFixture.with { sim in
            let created = try await sim.kubectl("create", "deployment", "web", "--image=nginx:1.25")
            #expect(created.status == 0, "\(created.stderr)")
            let first = try await sim.kubectl("rollout", "status", "deployment/web", "--timeout=10s")
            #expect(first.status == 0, "\(first.stderr)")

            let updated = try await sim.kubectl("set", "image", "deployment/web", "nginx=nginx:1.26")
            #expect(updated.status == 0, "\(updated.stderr)")
            let rollout = try await sim.kubectl("rollout", "status", "deployment/web", "--timeout=10s")
            #expect(rollout.status == 0, "\(rollout.stderr)")
            #expect(rollout.stdout.contains("successfully rolled out"))

            let json = try await sim.kubectl("get", "deployments", "-o", "json")
            #expect(json.status == 0, "\(json.stderr)")
            let list = try JSONValue.parse(json.stdout)
            let web = list["items"]?[0]
            #expect(web?["metadata"]?["generation"]?.intValue == 2)
            #expect(web?["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.stringValue == "2")
            #expect(web?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.stringValue == "nginx:1.26")
            #expect(web?["status"]?["updatedReplicas"]?.intValue == 1)

            let yaml = try await sim.kubectl("get", "deployment", "web", "-o", "yaml")
            #expect(yaml.status == 0, "\(yaml.stderr)")
            let node = try Yams.compose(yaml: yaml.stdout)
            #expect(node?["kind"]?.string == "Deployment")
            #expect(node?["status"]?["observedGeneration"]?.int == 2)

            let table = try await sim.kubectl("get", "deploy")
            #expect(table.stdout.contains("web    1/1     1            1"), "\(table.stdout)")

            let deleted = try await sim.kubectl("delete", "deployment", "web")
            #expect(deleted.status == 0, "\(deleted.stderr)")
            let none = try await sim.kubectl("get", "deployments")
            #expect(none.stderr.contains("No resources found"))
        }
    }
}
