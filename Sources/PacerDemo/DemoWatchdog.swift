import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The safety net of Ctrl-C: if the structured shutdown (operator, kube-sim, PostgreSQL) has not finished within
/// `shutdownGrace` seconds, for instance because a service ignores cancellation, stop PostgreSQL and remove the
/// temporary folder from a plain thread and exit with status 130. A timer on a dispatch queue is used on purpose:
/// the tasks it backs up may be the ones that are stuck.
enum DemoWatchdog {
    /// Seconds a Ctrl-C shutdown may take before the watchdog steps in.
    static let shutdownGrace = 20

    static func arm(started: PacerDemo.Started, directory: String) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(shutdownGrace)) {
            FileHandle.standardError.write(
                Data("pacer-demo: shutdown did not finish within \(shutdownGrace) s; stopping PostgreSQL and exiting\n".utf8))
            started.postgres.withLock { $0 }?.stopBlocking()
            try? FileManager.default.removeItem(atPath: directory)
            exit(130)
        }
    }
}
