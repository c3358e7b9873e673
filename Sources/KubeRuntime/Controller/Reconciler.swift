import KubeCore

/// A level-based reconciler (controller-runtime style): it gets only the key, reads the current
/// state itself (usually from an informer's ``Store``) and drives the world towards it. It must be
/// idempotent; it is never called concurrently for the same key.
public protocol Reconciler: Sendable {
    /// Returns ``ReconcileResult/done`` or asks to run again later. Throwing requeues the key with
    /// per-key exponential backoff, unless the error is a ``TerminalError``.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// What a reconcile asks for next.
public enum ReconcileResult: Sendable, Hashable {
    /// Nothing more to do until the next change.
    case done
    /// Run again after this delay (the failure count is reset).
    case requeue(after: Duration)
}

/// Wrap an error in this to stop retrying the key (it is logged and forgotten).
public struct TerminalError: Error, CustomStringConvertible {
    public var underlying: any Error

    public init(_ underlying: any Error) { self.underlying = underlying }

    public var description: String { "terminal: \(underlying)" }
}
