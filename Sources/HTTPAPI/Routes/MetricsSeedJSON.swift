import Foundation
import PacerCore

/// JSON exactly as the seed tutorial's Go endpoint writes it (`encoding/json.Marshal` of
/// `[]struct{DeployName string; Deployments int; Time time.Time}`): fields in declaration order, no spaces, no
/// trailing newline, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, times in RFC 3339 (UTC: `Z`).
enum SeedJSON {
    static func deployFrequency(_ entries: [DeployFrequencyEntry]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 80 + 2)
        out.append(UInt8(ascii: "["))
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Array(#"{"DeployName":"#.utf8))
            appendString(entry.deployName, to: &out)
            out.append(contentsOf: Array(#","Deployments":\#(entry.deployments),"Time":"#.utf8))
            appendString(goTime(entry.time), to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Go's `time.Time.MarshalJSON` in UTC: RFC 3339 with the fraction only when non-zero, trailing zeros removed.
    static func goTime(_ date: Date) -> String {
        let text = RFC3339.format(date, fractionalDigits: 9)  // 2023-08-05T00:00:00.000000000Z
        guard let dot = text.firstIndex(of: "."), let zulu = text.lastIndex(of: "Z") else { return text }
        var fraction = text[text.index(after: dot)..<zulu]
        while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        return fraction.isEmpty ? text[..<dot] + "Z" : text[...dot] + fraction + "Z"
    }

    /// A JSON string as Go's encoder writes it (HTML-safe escaping on).
    static func appendString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case "\\": out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case "\n": out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case "\r": out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case "\t": out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                let v = Int(scalar.value)
                out.append(contentsOf: Array("\\u".utf8) + [hex[v >> 12 & 0xF], hex[v >> 8 & 0xF], hex[v >> 4 & 0xF], hex[v & 0xF]])
            default:
                if scalar.value < 0x20 {
                    let v = Int(scalar.value)
                    out.append(contentsOf: Array("\\u00".utf8) + [hex[v >> 4], hex[v & 0xF]])
                } else {
                    out.append(contentsOf: Array(String(scalar).utf8))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
