import EventModel
import EventStore
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeSim
import PacerApp
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Namespace isolation seen through the read API with real tokens against kube-sim's RBAC (docs/security.md): the
/// default Deployment pipeline and a deployment-frequency definition `df` in the operator's namespace `pacer-system`
/// (cluster-wide) and in `team-a` and `team-b` (namespaced). alice may read team-a's definitions (a Role), carol every
/// namespace's (a ClusterRole through her group); the readers of ``ReadAuthorizationTests``.
@Suite("Namespace isolation through the read API, against kube-sim's RBAC (issue 16)", .enabled(if: TestDatabase.enabled))
struct NamespaceIsolationAPITests {
    /// A Deployment-source CloudEvent (docs/deployment-source.md): a first rollout completed.
    static func rollout(_ namespace: String, _ name: String, revision: Int64, previous: Int64?, commit: String, time: String) -> CloudEvent {
        let data: JSONValue = [
            "namespace": .string(namespace), "name": .string(name), "uid": .string("uid-\(name)"), "revision": .int(revision),
            "previousRevision": previous.map(JSONValue.int) ?? .null, "generation": 3, "replicas": 2, "app": .string(name),
            "version": .string(commit), "environment": "production", "commit": .string(commit),
        ]
        return CloudEvent(
            id: "uid-\(name)/\(revision)/rollout.completed", source: "/k8s/prod/apis/apps/v1/namespaces/\(namespace)/deployments/\(name)",
            type: "dev.pacer.deployment.rollout.completed", datacontenttype: "application/json", subject: "\(namespace)/\(name)", time: time,
            data: .json(data))
    }

    /// team-a's cart rolls out twice, team-b's web once (2026-02-27, within 30 days of the calculator's clock).
    static func compute(_ postgres: PostgresClient) async throws {
        let store = PostgresConfigStore(client: postgres, logger: TestDatabase.logger)
        for (namespace, clusterWide) in [("pacer-system", true), ("team-a", false), ("team-b", false)] {
            try await ExamplePipeline.install(
                postgres, files: ["deployment-routes.yaml", "deployment-transforms.yaml"], namespace: namespace, clusterWide: clusterWide)
            let spec = try JSONValue(encoding: MetricDefinitionSpec(metric: .deploymentFrequency, window: "30d"))
            try await store.upsert(
                .metricDefinitions,
                ConfigRecord(namespace: namespace, name: "df", uid: "uid-\(namespace)", generation: 1, spec: spec, ready: true, clusterWide: clusterWide))
        }
        let events = [
            Self.rollout("team-a", "cart", revision: 2, previous: nil, commit: "a1", time: "2026-02-27T10:00:00Z"),
            Self.rollout("team-a", "cart", revision: 3, previous: 2, commit: "a2", time: "2026-02-27T13:00:00Z"),
            Self.rollout("team-b", "web", revision: 2, previous: nil, commit: "b1", time: "2026-02-27T10:00:00Z"),
        ]
        let events2 = PostgresEventStore(client: postgres, logger: TestDatabase.logger)
        try await postgres.withConnection { connection in
            _ = try await events2.insert(cloudEvents: events.map(CloudEventRow.init), on: connection)
        }
        _ = try await TransformStage(client: postgres, logger: TestDatabase.logger).drain()
        let now = Date(timeIntervalSince1970: 1_772_366_400)  // 2026-03-01 12:00 UTC
        try await MetricCalculator(client: postgres, logger: TestDatabase.logger, clock: { now }).catchUp()
    }

    func get(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    /// `namespace/name` → samples of each listed definition.
    func samples(_ response: TestResponse) -> [String: Int] {
        var out: [String: Int] = [:]
        for item in (response.json?["items"] as? [[String: Any]]) ?? [] {
            out["\(item["namespace"] ?? "")/\(item["name"] ?? "")"] = item["samples"] as? Int ?? -1
        }
        return out
    }

    @Test func aTeamReaderSeesItsNamespacesNumbersOnlyAndAClusterReaderSeesEach() async throws {
        try await withSim(configure: { configuration in
            configuration.authorizationMode = .rbac
            configuration.anonymousAuth = false
            configuration.staticTokens = ReadAuthorizationTests.readers
        }) { _, kube in
            try await ReadAuthorizationTests.grant(kube)
            try await TestDatabase.withFreshDatabase { postgres, _ in
                try await Self.compute(postgres)
                let app = Application(
                    router: ReadAuthorizationTests.router(postgres, authorizer: KubeReadAuthorizer(client: kube)), logger: TestDatabase.logger)
                try await app.test(.router) { (client) async throws -> Void in
                    // alice (team-a): team-a's definition only, computed over team-a's two rollouts (cart r2, r3).
                    #expect(samples(try await get(client, "/api/v1/metrics", token: "alice-token")) == ["team-a/df": 2])
                    #expect(try await get(client, "/api/v1/metrics/team-a/df", token: "alice-token").status == .ok)
                    // Neither the operator's cluster-wide definition nor team-b's.
                    #expect(try await get(client, "/api/v1/metrics/pacer-system/df", token: "alice-token").status == .forbidden)
                    #expect(try await get(client, "/api/v1/metrics/team-b/df", token: "alice-token").status == .forbidden)
                    // carol (every namespace): the operator's sees the three rollouts once each (each was transformed by the
                    // operator's pipeline and its team's), team-b's its one.
                    #expect(samples(try await get(client, "/api/v1/metrics", token: "carol-token")) == [
                        "pacer-system/df": 3, "team-a/df": 2, "team-b/df": 1,
                    ])
                    // bob: nothing.
                    #expect(samples(try await get(client, "/api/v1/metrics", token: "bob-token")) == [:])
                }
            }
        }
    }
}
