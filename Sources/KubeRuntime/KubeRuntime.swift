/// The kube-rs style runtime on top of ``KubeClient``:
///
/// - ``Watcher``: list-then-watch state machine (resume from the last resourceVersion, relist on 410,
///   backoff with jitter) as an `AsyncSequence` of ``WatcherEvent``.
/// - ``Store`` and ``Reflector``: an in-memory cache fed by a watcher, with atomic replace on relist.
/// - ``Informer``: a `Service` that runs a watcher into a store and calls handlers with
///   added/updated/deleted computed against the store (plus optional resync).
/// - ``WorkQueue`` and ``Controller``: controller-runtime style dedupe, rate-limited requeue, N workers.
/// - ``LeaderElector``: client-go leader election on a `coordination.k8s.io/v1` Lease.
public enum KubeRuntimeModule {}
