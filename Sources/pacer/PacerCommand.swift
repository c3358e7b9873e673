import ArgumentParser
import Foundation
import Logging
import PacerApp

@main
struct PacerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer",
        abstract: "DORA metrics for Kubernetes, from CloudEvents and CDEvents.",
        version: PacerVersion.string,
        subcommands: [Serve.self, Run.self, Migrate.self, Recompute.self, MovedDemo.self])
}

/// Flags shared by every command that talks to the database. Each flag falls back to an environment variable.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL, e.g. postgres://pacer:secret@localhost:5432/pacer (env PACER_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env PACER_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text or json (env PACER_LOG_FORMAT).")
    var logFormat: String?

    func resolvedDatabaseURL() throws -> String {
        guard let url = databaseURL ?? Environment.value("PACER_DATABASE_URL") else {
            throw ValidationError("no database: pass --database-url or set PACER_DATABASE_URL")
        }
        return url
    }

    func resolvedLogLevel() throws -> Logger.Level {
        let text = logLevel ?? Environment.value("PACER_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log level \"\(text)\": use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }

    func resolvedLogFormat() throws -> LogFormat {
        let text = logFormat ?? Environment.value("PACER_LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log format \"\(text)\": use text or json")
        }
        return format
    }

    func bootstrapLogging() throws -> Logger {
        LoggingSetup.bootstrap(level: try resolvedLogLevel(), format: try resolvedLogFormat())
        return Logger(label: "pacer")
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// HTTP server flags shared by `serve` and `run`.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("cluster-name"), help: "Name of this cluster: the cluster of the events that name none, and in `pacer run` of the workloads' events (env PACER_CLUSTER_NAME; default \"default\", for an agent the kube-system Namespace's UID). See docs/metrics.md, \"Clusters\".")
    var clusterName: String?

    @Option(name: .customLong("http-port"), help: "HTTP port (env PACER_HTTP_PORT, default 8080).")
    var httpPort: Int?

    @Option(name: .customLong("http-host"), help: "Address to bind (env PACER_HTTP_HOST, default 0.0.0.0).")
    var httpHost: String?

    @Option(name: .customLong("ingest-token-file"), help: "File of bearer tokens (one per line) required on ingest endpoints (env PACER_INGEST_TOKEN_FILE).")
    var ingestTokenFile: String?
    @Option(
        name: .customLong("webhook-secrets-dir"),
        help: "Directory of webhook receiver secrets, one file per receiver: github, gitlab, pagerduty, alertmanager, argocd, flux, generic-<name> (env PACER_WEBHOOK_SECRETS_DIR).")
    var webhookSecretsDir: String?

    @Option(name: .customLong("read-token-file"), help: "File of bearer tokens (one per line) required to read the API, the dashboard's data and /metrics (env PACER_READ_TOKEN_FILE; with `run --read-authorization kubernetes` the API server checks readers instead).")
    var readTokenFile: String?

    @Flag(name: .customLong("metrics-open"), help: "Serve /metrics without a token even when reads need one (for a scraper that sends none).")
    var metricsOpen = false

    @Option(name: .customLong("tls-cert-file"), help: "PEM certificate (chain) to serve HTTPS with, reloaded when it changes; needs --tls-key-file (env PACER_TLS_CERT_FILE).")
    var tlsCertFile: String?

    @Option(name: .customLong("tls-key-file"), help: "PEM private key of --tls-cert-file (env PACER_TLS_KEY_FILE).")
    var tlsKeyFile: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted, in bytes (env PACER_MAX_BODY_BYTES, default 1048576).")
    var maxBodyBytes: Int?

    @Option(name: .customLong("ingest-rate-limit"), help: "Events per second each sender may post on average; 0 turns the limit off (env PACER_INGEST_RATE_LIMIT, default 10000). Senders are told apart by bearer token, or by event source without tokens.")
    var ingestRateLimit: Double?

    @Option(name: .customLong("ingest-burst"), help: "Events a sender may post at once above its rate (env PACER_INGEST_BURST, default 20000).")
    var ingestBurst: Int?

    @Option(name: .customLong("ingest-max-inflight-bytes"), help: "Request bytes being processed at once over all senders; beyond it requests get 429 (env PACER_INGEST_MAX_INFLIGHT_BYTES, default 67108864).")
    var ingestMaxInFlightBytes: Int?

    @Flag(name: .customLong("pipeline"), inversion: .prefixedNo, help: "Run the pipeline (route, transform, calculate) in this process (default on; `run`: on the leader).")
    var pipeline = true

    @Option(name: .customLong("pipeline-poll-interval"), help: "Seconds between the pipeline's polls when no NOTIFY arrives (env PACER_PIPELINE_POLL_INTERVAL, default 5).")
    var pipelinePollInterval: Double?

    /// `--cluster-name` or `PACER_CLUSTER_NAME`, checked; nil when neither is set.
    func resolvedClusterName() throws -> String? {
        guard let name = clusterName ?? Environment.value("PACER_CLUSTER_NAME") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
        guard (1...63).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw ValidationError(
                "--cluster-name must be 1 to 63 letters, digits, '-', '.' or '_' (it is part of event sources and a label value), got \"\(name)\"")
        }
        return name
    }

    func configuration(databaseURL: String) throws -> PacerConfiguration {
        var configuration = PacerConfiguration(databaseURL: databaseURL)
        configuration.clusterName = try resolvedClusterName() ?? "default"
        configuration.httpPort = try httpPort ?? Environment.value("PACER_HTTP_PORT").map { try Self.number($0, "PACER_HTTP_PORT") } ?? 8080
        configuration.httpHost = httpHost ?? Environment.value("PACER_HTTP_HOST") ?? "0.0.0.0"
        configuration.ingestTokenFile = ingestTokenFile ?? Environment.value("PACER_INGEST_TOKEN_FILE")
        configuration.readTokenFile = readTokenFile ?? Environment.value("PACER_READ_TOKEN_FILE")
        configuration.metricsOpen = metricsOpen
        configuration.tlsCertificateFile = tlsCertFile ?? Environment.value("PACER_TLS_CERT_FILE")
        configuration.tlsKeyFile = tlsKeyFile ?? Environment.value("PACER_TLS_KEY_FILE")
        guard (configuration.tlsCertificateFile == nil) == (configuration.tlsKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-key-file go together: give both to serve HTTPS, or neither")
        }
        configuration.webhookSecretsDirectory = webhookSecretsDir ?? Environment.value("PACER_WEBHOOK_SECRETS_DIR")
        configuration.maxBodyBytes = try maxBodyBytes ?? Environment.value("PACER_MAX_BODY_BYTES").map { try Self.number($0, "PACER_MAX_BODY_BYTES") } ?? 1 << 20
        guard (0...65535).contains(configuration.httpPort) else {
            throw ValidationError("--http-port must be between 0 and 65535, got \(configuration.httpPort)")
        }
        guard configuration.maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        let rate = try ingestRateLimit ?? Environment.value("PACER_INGEST_RATE_LIMIT").map {
            guard let value = Double($0) else { throw ValidationError("PACER_INGEST_RATE_LIMIT must be a number of events per second, got \"\($0)\"") }
            return value
        } ?? 10_000
        guard rate.isFinite, rate >= 0 else { throw ValidationError("--ingest-rate-limit must be 0 (off) or a positive number of events per second, got \(rate)") }
        configuration.ingestRateLimit = rate == 0 ? nil : rate
        configuration.ingestBurst = try ingestBurst ?? Environment.value("PACER_INGEST_BURST").map { try Self.number($0, "PACER_INGEST_BURST") } ?? 20_000
        guard configuration.ingestBurst > 0 else { throw ValidationError("--ingest-burst must be positive, got \(configuration.ingestBurst)") }
        configuration.ingestMaxInFlightBytes = try ingestMaxInFlightBytes
            ?? Environment.value("PACER_INGEST_MAX_INFLIGHT_BYTES").map { try Self.number($0, "PACER_INGEST_MAX_INFLIGHT_BYTES") } ?? 64 << 20
        guard configuration.ingestMaxInFlightBytes > 0 else {
            throw ValidationError("--ingest-max-inflight-bytes must be positive, got \(configuration.ingestMaxInFlightBytes)")
        }
        configuration.pipelineEnabled = pipeline
        let poll = try pipelinePollInterval ?? Environment.value("PACER_PIPELINE_POLL_INTERVAL").map {
            guard let seconds = Double($0) else { throw ValidationError("PACER_PIPELINE_POLL_INTERVAL must be a number of seconds, got \"\($0)\"") }
            return seconds
        } ?? 5
        guard poll > 0, poll <= 3600 else { throw ValidationError("--pipeline-poll-interval must be between 0 and 3600 seconds, got \(poll)") }
        configuration.pipelinePollInterval = .milliseconds(Int64(poll * 1000))
        return configuration
    }

    static func number(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else { throw ValidationError("\(name) must be a number, got \"\(text)\"") }
        return value
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the ingest endpoints and API (migrates the database first).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let logger = try database.bootstrapLogging()
        let configuration = try server.configuration(databaseURL: try database.resolvedDatabaseURL())
        try await PacerServer(configuration: configuration, logger: logger).run()
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the operator: HTTP server on every replica; Deployment source and reconcilers on the elected leader.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("kubeconfig"), help: "kubeconfig file (else $KUBECONFIG, ~/.kube/config, then the in-cluster service account).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "kubeconfig context (default: its current-context).")
    var context: String?

    @Option(name: .customLong("watch-namespace"), help: "Namespace to watch; repeat for several (default: all).")
    var watchNamespaces: [String] = []

    @Option(name: .customLong("label-selector"), help: "Only watch workloads matching this label selector.")
    var labelSelector: String?

    @Flag(name: .customLong("watch-deployments"), inversion: .prefixedNo, help: "Watch apps/v1 Deployments (default on).")
    var watchDeployments = true

    @Flag(name: .customLong("watch-statefulsets"), inversion: .prefixedNo, help: "Watch apps/v1 StatefulSets (default on).")
    var watchStatefulSets = true

    @Flag(name: .customLong("watch-daemonsets"), inversion: .prefixedNo, help: "Watch apps/v1 DaemonSets (default on).")
    var watchDaemonSets = true

    @Flag(name: .customLong("watch-argocd-applications"), inversion: .prefixedNo, help: "Watch Argo CD Applications (argoproj.io/v1alpha1) when their CRD is installed (default on).")
    var watchArgoCDApplications = true

    @Flag(name: .customLong("watch-flux-kustomizations"), inversion: .prefixedNo, help: "Watch Flux Kustomizations (kustomize.toolkit.fluxcd.io/v1) when their CRD is installed (default on).")
    var watchFluxKustomizations = true

    @Flag(name: .customLong("watch-flux-helmreleases"), inversion: .prefixedNo, help: "Watch Flux HelmReleases (helm.toolkit.fluxcd.io/v2) when their CRD is installed (default on).")
    var watchFluxHelmReleases = true

    @Flag(name: .customLong("watch-argo-rollouts"), inversion: .prefixedNo, help: "Watch Argo Rollouts (argoproj.io/v1alpha1 Rollout) when their CRD is installed (default on).")
    var watchArgoRollouts = true

    @Flag(name: .customLong("watch-knative-services"), inversion: .prefixedNo, help: "Watch Knative Services (serving.knative.dev/v1) when their CRD is installed (default on).")
    var watchKnativeServices = true

    @Flag(name: .customLong("count-restarts"), help: "Count a rollout that only changed kubectl.kubernetes.io/restartedAt (kubectl rollout restart) as a deployment (default: a dev.pacer.deployment.restarted event, not counted).")
    var countRestarts = false

    @Flag(name: .customLong("leader-election"), inversion: .prefixedNo, help: "Elect a leader among replicas on a Lease (default on).")
    var leaderElection = true

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the leader-election Lease (default: the kubeconfig's or pod's namespace).")
    var leaseNamespace: String?

    @Flag(name: .customLong("namespace-isolation"), inversion: .prefixedNo, help: "EventRoutes, CDEventTransforms and MetricDefinitions outside the cluster-wide namespaces see only their own namespace's workloads and facts (env PACER_NAMESPACE_ISOLATION=true; default off; the chart turns it on). See docs/security.md.")
    var namespaceIsolation: Bool?

    @Option(name: .customLong("cluster-wide-namespace"), help: "With --namespace-isolation: a namespace whose resources see every namespace, besides Pacer's own; repeat for several (env PACER_CLUSTER_WIDE_NAMESPACES, comma-separated).")
    var clusterWideNamespaces: [String] = []

    @Option(name: .customLong("forward-to"), help: "Agent mode: run only the workload source and POST its CloudEvents to this central Pacer's ingest URL (e.g. https://pacer.hub.example/events); no database, reconcilers or pipeline here (env PACER_FORWARD_TO). See docs/operations.md.")
    var forwardTo: String?

    @Option(name: [.customLong("forward-token-file"), .customLong("token-file")], help: "With --forward-to: a file holding the bearer token the central Pacer's --ingest-token-file accepts; read for every request, so it rotates without a restart (env PACER_FORWARD_TOKEN_FILE).")
    var forwardTokenFile: String?

    @Option(name: .customLong("read-authorization"), help: "kubernetes: every read of Pacer's data needs a bearer token that TokenReview accepts and SubjectAccessReview allows (get/list metricdefinitions.pacer.dev; get /metrics); none: reads are open, or checked against --read-token-file (env PACER_READ_AUTHORIZATION, default none).")
    var readAuthorization: String?

    func run() async throws {
        let logger = try database.bootstrapLogging()
        let forward = try forwardTarget()
        if forward != nil, database.databaseURL != nil {
            throw ValidationError("--forward-to runs only the workload source and sends its events to the central Pacer: it takes no --database-url")
        }
        var configuration = OperatorConfiguration(server: try server.configuration(databaseURL: forward == nil ? try database.resolvedDatabaseURL() : ""))
        if let forward {
            configuration.forwardTo = forward
            configuration.leaseName = "pacer-agent-leader"
        }
        configuration.kubeconfig = kubeconfig
        configuration.context = context
        configuration.clusterName = try server.resolvedClusterName()
        configuration.watchNamespaces = watchNamespaces
        configuration.labelSelector = labelSelector
        configuration.watchWorkloads(deployments: watchDeployments, statefulSets: watchStatefulSets, daemonSets: watchDaemonSets)
        configuration.watchGitOps(
            argoCDApplications: watchArgoCDApplications, fluxKustomizations: watchFluxKustomizations, fluxHelmReleases: watchFluxHelmReleases)
        configuration.watchCustomWorkloads(argoRollouts: watchArgoRollouts, knativeServices: watchKnativeServices)
        configuration.countRestarts = countRestarts
        configuration.leaderElection = leaderElection
        configuration.leaseNamespace = leaseNamespace
        switch namespaceIsolation.map({ $0 ? "true" : "false" }) ?? Environment.value("PACER_NAMESPACE_ISOLATION") ?? "false" {
        case "true": configuration.namespaceIsolation = true
        case "false": configuration.namespaceIsolation = false
        case let other: throw ValidationError("PACER_NAMESPACE_ISOLATION must be true or false, got \"\(other)\"")
        }
        let listed = clusterWideNamespaces.isEmpty
            ? (Environment.value("PACER_CLUSTER_WIDE_NAMESPACES") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            : clusterWideNamespaces
        configuration.clusterWideNamespaces = listed.filter { !$0.isEmpty }
        if !configuration.namespaceIsolation && !configuration.clusterWideNamespaces.isEmpty {
            throw ValidationError("--cluster-wide-namespace needs --namespace-isolation: without it every namespace is cluster-wide")
        }
        switch readAuthorization ?? Environment.value("PACER_READ_AUTHORIZATION") ?? "none" {
        case "kubernetes":
            guard configuration.server.readTokenFile == nil else {
                throw ValidationError("--read-token-file needs --read-authorization none: with kubernetes, readers are checked by the API server")
            }
            configuration.kubernetesReadAuthorization = true
        case "none": configuration.kubernetesReadAuthorization = false
        case let other: throw ValidationError("--read-authorization must be kubernetes or none, got \"\(other)\"")
        }
        try await PacerOperator(configuration: configuration, logger: logger).run()
    }
}

extension Run {
    /// `--forward-to` and its token file, checked: an http(s) URL with a host, a readable token file.
    func forwardTarget() throws -> ForwardTarget? {
        guard let text = forwardTo ?? Environment.value("PACER_FORWARD_TO") else {
            if forwardTokenFile != nil { throw ValidationError("--forward-token-file needs --forward-to") }
            return nil
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw ValidationError("--forward-to must be an http or https URL of the central Pacer's ingest, e.g. https://pacer.hub.example/events; got \"\(text)\"")
        }
        let tokenFile = forwardTokenFile ?? Environment.value("PACER_FORWARD_TOKEN_FILE")
        if let tokenFile, !FileManager.default.isReadableFile(atPath: tokenFile) {
            throw ValidationError("--forward-token-file \(tokenFile) is not a readable file")
        }
        return ForwardTarget(url: text, tokenFile: tokenFile)
    }
}

struct Recompute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the metric facts and results from the raw tables (gives the same rows as the incremental pipeline).")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("metric"), help: "Only this MetricDefinition: NAME or NAMESPACE/NAME (default: all).")
    var metric: String?

    @Flag(
        name: .customLong("from-events"),
        help: "Extract every fact from the stored CDEvents again (default: keep the fields the calculator extracted up to its cursor, judge again).")
    var fromEvents = false

    func run() async throws {
        let logger = try database.bootstrapLogging()
        let summary = try await PacerRecompute.run(
            databaseURL: try database.resolvedDatabaseURL(), metric: metric, fromEvents: fromEvents, logger: logger)
        print(summary)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = try database.bootstrapLogging()
        let applied = try await PacerMigrate.run(databaseURL: try database.resolvedDatabaseURL(), logger: logger)
        print(applied.isEmpty ? "database schema is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
