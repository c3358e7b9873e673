import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import PacerApp

@Suite("LeaderServices")
struct LeaderServicesTests {
    final class Journal: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }

        func waitFor(_ count: Int, _ prefix: String) async throws {
            while all.filter({ $0.hasPrefix(prefix) }).count < count { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Runs until graceful shutdown (or cancellation), writing `start`/`stop` lines.
    struct Recording: Service {
        let name: String
        let journal: Journal
        func run() async throws {
            journal.append("start \(name)")
            try? await gracefulShutdown()
            journal.append("stop \(name)")
        }
    }

    struct Failing: Service {
        func run() async throws { throw Broken() }
    }

    struct Broken: Error {}

    /// Calls `onStartedLeading` at once and then holds the lease until graceful shutdown or cancellation.
    struct ImmediateElector: Service {
        let onStartedLeading: @Sendable () async -> Void
        let journal: Journal
        func run() async throws {
            await onStartedLeading()
            try? await gracefulShutdown()
            journal.append("elector stopped")
        }
    }

    let logger = Logger(label: "test")

    @Test(.timeLimit(.minutes(5)))
    func losingLeadershipStopsTheServicesInReverseOrderBeforeReturning() async throws {
        let journal = Journal()
        let leader = LeaderServices(services: ["a", "b", "c"].map { Recording(name: $0, journal: journal) }, logger: logger)
        let leading = Task { try await leader.runWhileLeading() }
        try await journal.waitFor(3, "start")
        leading.cancel()
        try await leading.value
        #expect(journal.all.filter { $0.hasPrefix("stop") } == ["stop c", "stop b", "stop a"])
    }

    @Test(.timeLimit(.minutes(5)))
    func aFailingServiceStopsTheOthersAndIsThrown() async throws {
        let journal = Journal()
        let services: [any Service] = [Recording(name: "a", journal: journal), Failing(), Recording(name: "c", journal: journal)]
        let leader = LeaderServices(services: services, logger: logger)
        await #expect(throws: Broken.self) { try await leader.runWhileLeading() }
        #expect(Set(journal.all.filter { $0.hasPrefix("stop") }) == Set(journal.all.filter { $0.hasPrefix("start") }.map { "stop" + $0.dropFirst(5) }))
    }

    @Test(.timeLimit(.minutes(5)))
    func aFailureWhileLeadingStopsTheElectorAndIsThrown() async throws {
        let journal = Journal()
        let leader = LeaderServices(services: [Recording(name: "a", journal: journal), Failing()], logger: logger)
        await #expect(throws: Broken.self) {
            try await leader.run { onStartedLeading in ImmediateElector(onStartedLeading: onStartedLeading, journal: journal) }
        }
        #expect(journal.all.contains("elector stopped"))
    }
}
