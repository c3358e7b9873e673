import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease with client-go's algorithm.
///
/// - Acquire/renew: GET the lease; create it if absent, else PUT with the read resourceVersion
///   (a conflict means someone else won this round). A lease held by someone else is valid while
///   `observedTime + leaseDurationSeconds > now`, where `observedTime` is **our local clock when we
///   last saw the record change**, so clock skew between nodes does not matter.
/// - On acquire `acquireTime = renewTime = now` and `leaseTransitions += 1` when the holder changes.
/// - The leader renews every `retryPeriod`; if renewing keeps failing for `renewDeadline`, it stops
///   leading (`onStartedLeading`'s task is cancelled, then `onStoppedLeading` runs) and becomes a
///   candidate again.
/// - `run()` returns on graceful shutdown or cancellation; with `releaseOnCancel` the lease is
///   released (empty holder, `leaseDurationSeconds: 1`) so a standby takes over at once.
public final class LeaderElector: Service, Sendable {
    public let identity: String
    public let configuration: LeaderElectionConfiguration
    let lock: any LeaseLock
    let onStartedLeading: @Sendable () async -> Void
    let onStoppedLeading: @Sendable () async -> Void
    let logger: Logger
    private let observed = Mutex(Observed())

    struct Observed {
        var record: Lease.Spec?
        var time: ContinuousClock.Instant = .now
        var resourceVersion: String?
        var metadata: ObjectMeta?
        var leading = false
    }

    /// - Parameters:
    ///   - onStartedLeading: runs when leadership is acquired; its task is cancelled when leadership is lost.
    ///   - onStoppedLeading: runs after leadership is lost or given up.
    public init(
        lock: any LeaseLock, identity: String, configuration: LeaderElectionConfiguration = LeaderElectionConfiguration(),
        logger: Logger = Logger(label: "pacer.leader-election"),
        onStartedLeading: @escaping @Sendable () async -> Void = {}, onStoppedLeading: @escaping @Sendable () async -> Void = {}
    ) {
        self.lock = lock
        self.identity = identity
        self.configuration = configuration
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        var logger = logger
        logger[metadataKey: "lease"] = "\(lock.description)"
        logger[metadataKey: "identity"] = "\(identity)"
        self.logger = logger
    }

    /// Election on the Lease `namespace/name` through `client`.
    public convenience init(
        client: KubeClient, namespace: String, name: String, identity: String,
        configuration: LeaderElectionConfiguration = LeaderElectionConfiguration(), logger: Logger = Logger(label: "pacer.leader-election"),
        onStartedLeading: @escaping @Sendable () async -> Void = {}, onStoppedLeading: @escaping @Sendable () async -> Void = {}
    ) {
        self.init(
            lock: KubeLeaseLock(client: client, namespace: namespace, name: name), identity: identity, configuration: configuration,
            logger: logger, onStartedLeading: onStartedLeading, onStoppedLeading: onStoppedLeading)
    }

    /// True while this instance holds the lease.
    public var isLeader: Bool { observed.withLock { $0.leading } }

    /// The holder last seen in the lease (nil or empty when free).
    public var observedLeader: String? { observed.withLock { $0.record?.holderIdentity } }

    public func run() async throws {
        if let problem = configuration.validate() {
            throw LeaderElectionError(message: "invalid leader election configuration: \(problem)")
        }
        let stop = StopSignal()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await self.elect(stop: stop)
            } onGracefulShutdown: {
                stop.fire()
            }
        } onCancel: {
            stop.fire()
        }
    }

    private func elect(stop: StopSignal) async {
        while !stop.isFired {
            guard await acquire(stop: stop) else { return }
            observed.withLock { $0.leading = true }
            logger.info("started leading")
            let stopped = await withTaskGroup(of: Bool?.self) { group -> Bool in
                group.addTask {
                    await self.onStartedLeading()
                    return nil
                }
                group.addTask { await self.renewLoop(stop: stop) }
                while let result = await group.next() {
                    if let stopped = result {
                        group.cancelAll()
                        return stopped
                    }
                }
                return stop.isFired
            }
            observed.withLock { $0.leading = false }
            logger.info(stopped ? "stopped leading (shutdown)" : "leadership lost")
            if stopped, configuration.releaseOnCancel { await release() }
            await onStoppedLeading()
        }
    }

    /// Retries every retryPeriod (jittered ×1.2, as client-go) until acquired (true) or stopped (false).
    private func acquire(stop: StopSignal) async -> Bool {
        while !stop.isFired {
            if await attempt(timeout: configuration.renewDeadline) { return true }
            let jittered = configuration.retryPeriod * (1 + Double.random(in: 0...1.2))
            if await stop.wait(for: jittered) { return false }
        }
        return false
    }

    /// Renews every retryPeriod. Returns true when stopped, false when leadership was lost.
    private func renewLoop(stop: StopSignal) async -> Bool {
        var lastRenew = ContinuousClock.now
        while true {
            if await stop.wait(for: configuration.retryPeriod) { return true }
            let remaining = configuration.renewDeadline - (ContinuousClock.now - lastRenew)
            if remaining > .zero, await attempt(timeout: remaining) {
                lastRenew = .now
                continue
            }
            if Task.isCancelled { return stop.isFired }
            if ContinuousClock.now - lastRenew >= configuration.renewDeadline { return false }
        }
    }

    /// One tryAcquireOrRenew bounded by a timeout.
    private func attempt(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    /// client-go `tryAcquireOrRenew`.
    func tryAcquireOrRenew() async -> Bool {
        let now = Date()
        var record = Lease.Spec(
            holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
            acquireTime: MicroTime(now), renewTime: MicroTime(now), leaseTransitions: 0)
        do {
            guard let current = try await lock.get() else {
                let created = try await lock.create(record)
                remember(created, record: record)
                return true
            }
            let old = current.spec ?? Lease.Spec()
            let holderValid: Bool = observed.withLock { state in
                if state.record.map(Self.fingerprint) != Self.fingerprint(old) {
                    state.record = old
                    state.time = .now
                }
                state.resourceVersion = current.metadata.resourceVersion
                let duration = Duration.seconds(Int(old.leaseDurationSeconds ?? 0))
                return state.time + duration > .now
            }
            let holder = old.holderIdentity ?? ""
            let leading = holder == identity
            if !holder.isEmpty, holderValid, !leading { return false }
            if leading {
                record.acquireTime = old.acquireTime
                record.leaseTransitions = old.leaseTransitions ?? 0
            } else {
                record.leaseTransitions = (old.leaseTransitions ?? 0) + 1
            }
            var updated = current
            updated.spec = record
            let written = try await lock.update(updated)
            remember(written, record: record)
            return true
        } catch let error as KubeClientError where error.httpStatus == 401 || error.httpStatus == 403 {
            // Not a race or an outage: missing credentials or RBAC. Say so at every attempt, as client-go does.
            logger.warning("acquire/renew refused by the API server", metadata: ["error": "\(error)"])
            return false
        } catch {
            if !(error is CancellationError) {
                logger.debug("acquire/renew failed", metadata: ["error": "\(error)"])
            }
            return false
        }
    }

    /// Gives the lease up: empty holder, 1 s duration, new times, same transition count.
    func release() async {
        guard let resourceVersion = observed.withLock({ $0.resourceVersion }) else { return }
        do {
            guard var current = try await lock.get(), current.spec?.holderIdentity == identity else { return }
            let now = MicroTime(Date())
            current.metadata.resourceVersion = current.metadata.resourceVersion ?? resourceVersion
            current.spec = Lease.Spec(
                holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
                leaseTransitions: current.spec?.leaseTransitions ?? 0)
            let written = try await lock.update(current)
            remember(written, record: current.spec ?? Lease.Spec())
            logger.info("released lease")
        } catch is CancellationError {
            logger.info("lease not released: task cancelled; it expires after leaseDurationSeconds")
        } catch {
            logger.warning("failed to release lease", metadata: ["error": "\(error)"])
        }
    }

    private func remember(_ written: Lease, record: Lease.Spec) {
        observed.withLock { state in
            state.record = written.spec ?? record
            state.time = .now
            state.resourceVersion = written.metadata.resourceVersion
        }
    }

    /// Record identity for change detection (times compared as their MicroTime text).
    static func fingerprint(_ spec: Lease.Spec) -> String {
        [
            spec.holderIdentity ?? "", spec.leaseDurationSeconds.map(String.init) ?? "",
            spec.acquireTime?.description ?? "", spec.renewTime?.description ?? "", spec.leaseTransitions.map(String.init) ?? "",
        ].joined(separator: "|")
    }
}

/// A leader election that cannot run (bad configuration).
public struct LeaderElectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
