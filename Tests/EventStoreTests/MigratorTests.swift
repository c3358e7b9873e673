import EventStore
import Logging
import PostgresNIO
import TestSupport
import Testing

@Suite("Migrations", .enabled(if: TestDatabase.enabled))
struct MigratorTests {
    @Test func appliesEveryMigrationOnceAndThenNothing() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            let migrator = Migrator(client: client, logger: TestDatabase.logger)
            let first = try await migrator.migrate()
            let second = try await migrator.migrate()
            let current = try await migrator.currentVersion()
            #expect(first == Migration.all.map(\.version))
            #expect(second == [])
            #expect(current == Migration.all.map(\.version).max())
        }
    }

    @Test func concurrentReplicasMigrateExactlyOnce() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { _, url in
            // Four "replicas", each with its own client, start at once.
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await TestDatabase.withClient(url: url) { client in
                            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
                        }
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(applied.filter { !$0.isEmpty } == [Migration.all.map(\.version)])
        }
    }

    @Test func theSeedTutorialsColumnsExist() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let query: PostgresQuery = """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_name IN ('cloudevents_raw', 'cdevents_raw', 'deployments')
                """
            var columns = Set<String>()
            for try await (table, column) in try await client.query(query, logger: TestDatabase.logger).decode((String, String).self) {
                columns.insert("\(table).\(column)")
            }
            let seed = [
                "cloudevents_raw.event_id", "cloudevents_raw.event_timestamp", "cloudevents_raw.content",
                "cdevents_raw.cd_id", "cdevents_raw.cd_timestamp", "cdevents_raw.cd_source", "cdevents_raw.cd_type",
                "cdevents_raw.cd_subject_id", "cdevents_raw.cd_subject_source", "cdevents_raw.content",
                "deployments.deploy_id", "deployments.time_created", "deployments.deploy_name",
            ]
            for column in seed { #expect(columns.contains(column), "missing \(column)") }
        }
    }

    @Test func refusesASchemaFromANewerPacer() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await client.query("INSERT INTO pacer_schema_migrations (version, name) VALUES (999, 'future')", logger: TestDatabase.logger)
            await #expect {
                try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            } throws: { error in
                (error as? EventStoreError)?.code == .schemaTooNew
            }
        }
    }
}
