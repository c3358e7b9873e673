import EventStore
import Logging
import PacerCore
import PacerRules
import PostgresNIO
import TestSupport
import Testing

@Suite("Pipeline configuration tables", .enabled(if: TestDatabase.enabled))
struct ConfigStoreTests {
    @Test func upsertReplacesTheRowOfANameAndDeleteRemovesIt() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            let first = ConfigRecord(
                namespace: "pacer", name: "rollouts", uid: "u1", generation: 1, spec: ["when": "true", "transforms": ["a"]], ready: true)
            try await store.upsert(.eventRoutes, first)
            var second = first
            second.generation = 2
            second.spec = ["when": "data.x ==", "transforms": ["a"]]
            second.ready = false
            second.message = "spec.when: 1:10: unexpected end of input"
            try await store.upsert(.eventRoutes, second)
            try await store.upsert(.eventRoutes, ConfigRecord(namespace: "other", name: "rollouts", uid: "u2", generation: 1, spec: [:], ready: true))

            #expect(
                try await store.rows(.eventRoutes) == [
                    ConfigRecord(namespace: "other", name: "rollouts", uid: "u2", generation: 1, spec: [:], ready: true), second,
                ])
            #expect(try await store.rows(.eventRoutes, readyOnly: true).map(\.namespace) == ["other"])
            // Each kind has its own table.
            #expect(try await store.rows(.cdEventTransforms).isEmpty)
            #expect(try await store.rows(.metricDefinitions).isEmpty)

            #expect(try await store.delete(.eventRoutes, namespace: "pacer", name: "rollouts"))
            #expect(try await store.delete(.eventRoutes, namespace: "pacer", name: "rollouts") == false)
            #expect(try await store.rows(.eventRoutes).map(\.namespace) == ["other"])
        }
    }

    @Test func everyKindWritesItsOwnTable() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            for table in ConfigKind.allCases {
                try await store.upsert(table, ConfigRecord(namespace: "ns", name: table.rawValue, uid: "u", generation: 3, spec: ["k": 1], ready: true))
            }
            for table in ConfigKind.allCases {
                var count = 0
                for try await n in try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.tableName)"), logger: TestDatabase.logger
                )
                .decode(Int.self) { count = n }
                #expect(count == 1, "\(table.tableName)")
                #expect(try await store.rows(table).map(\.name) == [table.rawValue])
            }
        }
    }
}
