import ArgumentParser

/// `pacer demo` before the demo became its own executable: a hidden command that says where it went, so old scripts
/// fail with directions rather than "unknown subcommand".
struct MovedDemo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", shouldDisplay: false)

    @Argument(parsing: .allUnrecognized)
    var arguments: [String] = []

    func run() throws {
        throw ValidationError("the demo is its own executable now: run `make run`, or `pacer-demo` with the same flags")
    }
}
