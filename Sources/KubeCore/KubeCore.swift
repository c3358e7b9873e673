/// Kubernetes wire types for Pacer: object metadata, lists, watch events, `Status`,
/// resource descriptors and the few typed objects Pacer reads (Deployment, Namespace,
/// Lease, Event), plus ``DynamicObject`` for custom resources. No I/O.
///
/// Typed objects model only the fields Pacer reads; unknown fields are ignored on decode.
/// Because of that, never PUT a typed object Pacer does not own: use a JSON merge patch.
public enum KubeCoreModule {}
