import ArgumentParser

/// `pacer-bench`: throughput and latency benchmarks that print figures (not timed tests).
///
/// Build it in release mode in its own folder (`hack/bench/ingest` and `hack/bench/watch` do this):
/// `swift build -c release --product pacer-bench --scratch-path .build-release`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-bench", abstract: "Pacer benchmarks (run in release mode).",
        subcommands: [IngestBenchmark.self, SoakBenchmark.self, WatchBenchmark.self, PipelineBenchmark.self, RecomputeBenchmark.self, WebhookBenchmark.self, StreamBenchmark.self])
}

/// A benchmark that cannot run or whose result is wrong (e.g. rows missing after a load).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
