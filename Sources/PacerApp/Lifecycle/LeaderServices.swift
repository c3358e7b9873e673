import Logging
import ServiceLifecycle

/// The leader-only services (the Deployment source, the reconcilers, the pipeline stages) as one nested
/// `ServiceGroup`, run while this replica leads.
///
/// Shutdown contract:
/// - Start: in the order given, each behind the schema gate (`AfterMigrations`).
/// - Stop, on leadership lost (the elector cancels `runWhileLeading`) or on the process's graceful shutdown (which
///   reaches the nested group from its parent): a graceful shutdown of the group, in reverse order, each service's
///   `run()` returning before the next one is told. What has not stopped after `gracePeriod` is cancelled.
///   `runWhileLeading` returns only when every service has stopped, so the lease is released or given up with
///   nothing of this replica still writing.
/// - A service that returns on its own is done; the others keep running (as before the group).
/// - Failure: the first service that throws cancels the others, and `runWhileLeading` throws its error.
///   `run(electedBy:)` then stops the elector (which releases the lease) and throws it, so `pacer run` exits
///   non-zero and is restarted, instead of leading with a service missing.
struct LeaderServices: Sendable {
    let services: [any Service]
    /// Set while the services run (the `pacer_leader` gauge and the DORA gauges' exporter follow it).
    var leadership = Leadership()
    /// How long a graceful stop of the leader-only services may take before they are cancelled: well under the
    /// lease duration (15 s by default), after which another replica takes over.
    var gracePeriod: Duration = .seconds(10)
    let logger: Logger

    /// Runs the services until leadership is lost (cancellation) or graceful shutdown; throws the first failure.
    func runWhileLeading() async throws {
        leadership.set(leading: true)
        defer { leadership.set(leading: false) }
        logger.notice("leading: starting the Deployment source, the reconcilers and the pipeline")
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .cancelGroup) },
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        let group = ServiceGroup(configuration: configuration)
        // The group runs in its own task so that the elector's cancellation becomes a graceful shutdown in reverse
        // order rather than cancelling every service at once; the task is always awaited.
        let running = Task { try await group.run() }
        do {
            try await withTaskCancellationHandler {
                try await running.value
            } onCancel: {
                Task { await group.triggerGracefulShutdown() }
            }
        } catch {
            logger.error("leader service failed: stopping the leader-only services", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Runs `elector`, built around `runWhileLeading`, and throws the first failure of the leader-only services
    /// once the elector has stopped (see the type's shutdown contract).
    func run(electedBy makeElector: (_ onStartedLeading: @escaping @Sendable () async -> Void) -> any Service) async throws {
        let (failures, failed) = AsyncStream.makeStream(of: (any Error).self, bufferingPolicy: .bufferingNewest(1))
        let elector = makeElector {
            do {
                try await runWhileLeading()
            } catch {
                failed.yield(error)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await elector.run() }
            group.addTask {
                for await failure in failures { throw failure }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
