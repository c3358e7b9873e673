import Foundation

/// Monotonic nanoseconds (`CLOCK_MONOTONIC`, shared by all processes of the machine).
func monotonicNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Latency samples in nanoseconds, summarised as percentiles.
struct LatencySummary {
    var sorted: [UInt64]

    init(_ samples: [UInt64]) { sorted = samples.sorted() }

    var count: Int { sorted.count }

    /// The value at quantile `q` (0...1), nearest rank; 0 without samples.
    func quantile(_ q: Double) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)]
    }

    var p50: UInt64 { quantile(0.50) }
    var p99: UInt64 { quantile(0.99) }
    var max: UInt64 { sorted.last ?? 0 }
}

/// Formatting helpers for the printed tables.
enum Format {
    static func millis(_ nanos: UInt64) -> String { String(format: "%.2f ms", Double(nanos) / 1e6) }
    static func seconds(_ nanos: UInt64) -> String { String(format: "%.2f s", Double(nanos) / 1e9) }
    static func rate(_ value: Double) -> String { String(format: "%.0f", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
    static func mebibytes(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// A plain-text table: the first column left aligned, the others right aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in index == 0 ? pad(cell, widths[index]) : padLeft(cell, widths[index]) }
                .joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// The resident set size of this process (or of `pid`), from `/proc/<pid>/status` `VmRSS`, in KiB.
func residentKiB(pid: Int32? = nil) -> Int? {
    let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return line.split(separator: " ").compactMap { Int($0) }.first
    }
    return nil
}

/// Prints a line at once (stdout may be a pipe to `tee`).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
