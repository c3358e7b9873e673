/// Settings of `pacer-demo`.
public struct DemoOptions: Sendable {
    /// PostgreSQL to use; nil starts a private cluster in a temporary folder.
    public var databaseURL: String?
    /// A real cluster; nil starts kube-sim in process.
    public var kubeconfig: String?
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// Keep serving the dashboard and API until Ctrl-C (`--no-serve`: exit after printing the table).
    public var serve = true
    /// Folder that holds `crds/` and `examples/` (default: the working directory, then the executable's ancestors).
    public var repoRoot: String?
    /// How long to wait for the calculator to publish the four keys.
    public var metricsTimeout: Duration = .seconds(30)

    public init() {}
}
