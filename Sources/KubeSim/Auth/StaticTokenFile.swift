import Foundation
/// The apiserver's `--token-auth-file` format: one `token,user,uid[,"group1,group2"]` per line (CSV).
public enum StaticTokenFile {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws -> [String: UserInfo] {
        var tokens: [String: UserInfo] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = csvFields(trimmed)
            guard fields.count >= 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw ParseError(description: "token auth file line \(index + 1): expected token,user,uid[,\"groups\"]")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
            tokens[fields[0]] = UserInfo(name: fields[1], uid: fields[2], groups: groups)
        }
        return tokens
    }

    /// Splits one CSV line (double quotes group commas; `""` is a quote).
    private static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            switch character {
            case "\"" where quoted:
                let next = characters.next()
                if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
            case "\"": quoted = true
            case "," where !quoted:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
