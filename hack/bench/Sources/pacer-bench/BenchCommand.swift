import ArgumentParser

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pacer-bench", abstract: "Pacer benchmarks.")
    func run() async throws {}
}
