import Controllers
import Foundation
import KubeCore
import PacerCore
import Testing

@Suite("WorkloadContext.resolve: annotations, labels and their fallbacks")
struct WorkloadContextTests {
    @Test func explicitAnnotationsWin() {
        let d = Fixture.deployment(
            annotations: [
                "pacer.dev/app": "checkout", "pacer.dev/version": "7.1", "pacer.dev/environment": "production", "pacer.dev/team": "payments",
                "pacer.dev/commit": "0a1b2c", "pacer.dev/commit-time": "2024-05-01T10:00:00+02:00", "pacer.dev/repository": "https://git.example/shop",
            ],
            labels: ["app.kubernetes.io/part-of": "storefront", "app.kubernetes.io/version": "9.9"])
        let ns = Fixture.namespace(annotations: ["pacer.dev/environment": "staging", "pacer.dev/team": "platform"])
        let context = WorkloadContext.resolve(deployment: d, namespace: ns)
        #expect(context.app == "checkout")
        #expect(context.version == "7.1")
        #expect(context.environment == "production")
        #expect(context.team == "payments")
        #expect(context.commit == "0a1b2c")
        #expect(context.commitTime == RFC3339.parse("2024-05-01T08:00:00Z"))
        #expect(context.repository == "https://git.example/shop")
        #expect(context.tracked)
        #expect(context.warnings.isEmpty)
    }

    @Test func appFallsBackThroughPartOfNameKeptnAndDeploymentName() {
        func app(_ labels: [String: String], template: [String: String]? = nil) -> String {
            WorkloadContext.resolve(deployment: Fixture.deployment(labels: labels, templateLabels: template), namespace: nil).app
        }
        #expect(app(["app.kubernetes.io/part-of": "store", "app.kubernetes.io/name": "web-ui"]) == "store")
        #expect(app(["app.kubernetes.io/name": "web-ui", "keptn.sh/app": "k"]) == "web-ui")
        #expect(app(["keptn.sh/app": "k"]) == "k")
        #expect(app([:], template: ["app.kubernetes.io/name": "from-template"]) == "from-template")
        #expect(app([:], template: [:]) == "web")
    }

    @Test func podTemplateAnnotationsAreReadAfterTheDeployments() {
        let d = Fixture.deployment(
            annotations: ["pacer.dev/team": "outer"], templateAnnotations: ["pacer.dev/team": "inner", "pacer.dev/commit": "fromtemplate"])
        let context = WorkloadContext.resolve(deployment: d, namespace: nil)
        #expect(context.team == "outer")
        #expect(context.commit == "fromtemplate")
    }

    @Test func versionFallsBackToLabelsThenImageTag() {
        func version(_ labels: [String: String], images: [(String, String)] = [("app", "registry.example:5000/web:3.2.1")]) -> String? {
            WorkloadContext.resolve(deployment: Fixture.deployment(images: images, labels: labels), namespace: nil).version
        }
        #expect(version(["app.kubernetes.io/version": "1.2"]) == "1.2")
        #expect(version(["keptn.sh/version": "0.9"]) == "0.9")
        #expect(version([:]) == "3.2.1")
        #expect(version([:], images: [("app", "registry.example:5000/web")]) == nil)
        #expect(version([:], images: [("a", "web:first"), ("b", "web:second")]) == "first")
    }

    @Test func environmentAndTeamFallBackToTheNamespace() {
        let d = Fixture.deployment()
        let annotated = WorkloadContext.resolve(
            deployment: d, namespace: Fixture.namespace(annotations: ["pacer.dev/environment": "staging", "pacer.dev/team": "platform"]))
        #expect(annotated.environment == "staging")
        #expect(annotated.team == "platform")
        let plain = WorkloadContext.resolve(deployment: d, namespace: Fixture.namespace())
        #expect(plain.environment == "shop")
        #expect(plain.team == nil)
        #expect(WorkloadContext.resolve(deployment: d, namespace: nil).environment == "shop")
    }

    @Test func invalidCommitTimeIsIgnoredWithAWarning() {
        let d = Fixture.deployment(annotations: ["pacer.dev/commit-time": "yesterday"])
        let context = WorkloadContext.resolve(deployment: d, namespace: nil)
        #expect(context.commitTime == nil)
        #expect(context.warnings.count == 1)
        #expect(context.warnings.first?.contains("yesterday") == true)
    }

    @Test func trackFalseOptsOut() {
        #expect(!WorkloadContext.resolve(deployment: Fixture.deployment(annotations: ["pacer.dev/track": "false"]), namespace: nil).tracked)
        #expect(WorkloadContext.resolve(deployment: Fixture.deployment(annotations: ["pacer.dev/track": "true"]), namespace: nil).tracked)
        #expect(!WorkloadContext.resolve(deployment: Fixture.deployment(), namespace: Fixture.namespace(annotations: ["pacer.dev/track": "false"])).tracked)
    }

    @Test func imageTags() {
        #expect(WorkloadContext.imageTag("nginx:1.25") == "1.25")
        #expect(WorkloadContext.imageTag("nginx") == nil)
        #expect(WorkloadContext.imageTag("registry:5000/team/app") == nil)
        #expect(WorkloadContext.imageTag("registry:5000/team/app:v2") == "v2")
        #expect(WorkloadContext.imageTag("app:v3@sha256:abcdef") == "v3")
        #expect(WorkloadContext.imageTag("app@sha256:abcdef") == nil)
    }
}
