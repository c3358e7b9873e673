/// A kubeconfig or in-cluster configuration that cannot be used.
/// The description is one line naming the source, e.g. `kubeconfig /x/y: context "foo" not found`.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or source the problem is in (`/home/me/.kube/config`, `in-cluster`).
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String {
        source == "in-cluster" ? "in-cluster config: \(message)" : "kubeconfig \(source): \(message)"
    }
}
