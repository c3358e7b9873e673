import Foundation
import NIOCore

/// The synthetic CloudEvents of the ingest benchmark: about 540 bytes each in structured JSON, a JSON object
/// as `data`, unique ids (`bench-<n>`), a handful of sources and subjects so indexes see realistic spread.
struct BenchEvents {
    let count: Int

    static let type = "com.example.ci.pipelinerun.finished"

    func id(_ index: Int) -> String { "bench-\(String(format: "%09d", index))" }
    func source(_ index: Int) -> String { "/ci/pipelines/team-\(index % 16)" }
    func subject(_ index: Int) -> String { "app-\(index % 200)" }

    /// RFC 3339 time with microseconds, spread over a day.
    func time(_ index: Int) -> String {
        let seconds = index % 86_400
        return String(format: "2026-11-20T%02d:%02d:%02d.%06dZ", seconds / 3600, seconds / 60 % 60, seconds % 60, index % 1_000_000)
    }

    /// The `data` object (JSON text).
    func data(_ index: Int) -> String {
        """
        {"pipeline":"build-and-deploy","run":"run-\(index)","status":"Succeeded","attempt":1,"durationSeconds":\(60 + index % 900),\
        "commit":"\(String(format: "%040x", index &* 2_654_435_761))","branch":"main",\
        "repository":"https://git.example.com/team-\(index % 16)/app-\(index % 200)",\
        "labels":{"env":"production","region":"eu-west-1"},"steps":["checkout","test","build","push"]}
        """
    }

    /// The whole event in the JSON format (`application/cloudevents+json`), also the stored `content`.
    func structured(_ index: Int) -> String {
        """
        {"specversion":"1.0","id":"\(id(index))","source":"\(source(index))","type":"\(Self.type)",\
        "subject":"\(subject(index))","time":"\(time(index))","datacontenttype":"application/json","data":\(data(index))}
        """
    }

    /// A JSON array of the events `range` (`application/cloudevents-batch+json`).
    func batch(_ range: Range<Int>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("[")
        for index in range {
            if index != range.lowerBound { buffer.writeStaticString(",") }
            buffer.writeString(structured(index))
        }
        buffer.writeStaticString("]")
        return buffer
    }

    /// Rows in PostgreSQL COPY text format (tab separated, one per line): ce_id, ce_source, ce_type,
    /// ce_subject, ce_time, content.
    func copyText(_ range: Range<Int>, into buffer: inout ByteBuffer) {
        for index in range {
            let fields = [id(index), source(index), Self.type, subject(index), time(index), structured(index)]
            for (position, field) in fields.enumerated() {
                if position > 0 { buffer.writeStaticString("\t") }
                buffer.writeString(Self.copyEscaped(field))
            }
            buffer.writeStaticString("\n")
        }
    }

    /// Escapes a value for COPY text format: backslash, tab, newline and carriage return.
    static func copyEscaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return value }
        var result = ""
        result.reserveCapacity(value.count + 8)
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.append(character)
            }
        }
        return result
    }
}
