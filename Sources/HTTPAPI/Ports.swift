import EventModel

/// What a request's events became: stored now, or already stored (a redelivery).
public struct IngestResult: Sendable, Equatable {
    public var stored: Int
    public var duplicates: Int
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// Where ingested CloudEvents go. Returning means the events are durably committed.
/// Throw `IngestUnavailable` when they cannot be committed now (the route answers 503 with Retry-After), and
/// `IngestRejected` when the store refuses these events whatever the time (the route answers 422).
public protocol EventIngesting: Sendable {
    func ingest(cloudEvents: [CloudEvent]) async throws -> IngestResult
    /// CDEvents, already validated, go to `cdevents_raw`.
    func ingest(cdEvents: [CDEvent]) async throws -> IngestResult
}

/// Readiness of the process's dependencies (the database).
public protocol ReadinessChecking: Sendable {
    /// Nil when ready, else the reason it is not.
    func notReadyReason() async -> String?
}

/// The read side of the metrics: the read model the calculator writes (`metric_headlines`, `metric_points`), the
/// seed tutorial's `deployments` table and the pipeline's error log. Implemented over PostgreSQL in PacerApp.
public protocol MetricsReading: Sendable {
    /// Every known MetricDefinition with its headline rows (definitions without a computed value yet included).
    func definitions() async throws -> [MetricDefinitionHeadlines]
    /// One definition (its headline rows may be empty), or nil when neither the configuration nor the read model knows it.
    func definition(namespace: String, name: String) async throws -> MetricDefinitionHeadlines?
    /// The stored points of one definition's series (see ``MetricSeriesQuery``), ordered by group, then bucket start.
    func points(_ query: MetricSeriesQuery) async throws -> [MetricSeriesPoint]
    /// The samples behind a point or headline of one definition, or nil when neither the configuration nor the read
    /// model knows it. Throws ``MetricSamplesRefused`` for a bad group or a definition whose samples cannot be listed.
    func samples(_ query: MetricSamplesQuery) async throws -> MetricSamplesPage?
    /// The seed tutorial's deployment frequency per `deploy_name` and bucket, ordered by bucket start, then name.
    func deployFrequency(bucket: MetricBucket) async throws -> [DeployFrequencyEntry]
    /// The newest pipeline errors first.
    func pipelineErrors(limit: Int) async throws -> [PipelineErrorEntry]
}
