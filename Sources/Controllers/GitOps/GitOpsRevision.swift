import Foundation
import PacerCore

/// Reading the revisions and repository URLs GitOps controllers write (docs/deployment-source.md, "GitOps objects").
public enum GitOpsRevision {
    /// The git commit a revision names, or nil when it names none (a chart version, an OCI digest):
    /// `main@sha1:<sha>` and `sha1:<sha>` (Flux), `main/<sha>` (older Flux), or a bare hex sha of 7 to 64 digits
    /// (Argo CD).
    public static func commit(_ revision: String) -> String? {
        var text = revision.trimmingCharacters(in: .whitespaces)
        if let at = text.range(of: "@", options: .backwards) { text = String(text[at.upperBound...]) }
        if text.hasPrefix("sha1:") {
            text = String(text.dropFirst(5))
        } else if text.contains(":") {
            return nil  // sha256:… is an OCI artifact digest, not a commit
        } else if let slash = text.range(of: "/", options: .backwards) {
            text = String(text[slash.upperBound...])
        }
        return isHexSha(text) ? text.lowercased() : nil
    }

    static func isHexSha(_ text: String) -> Bool {
        (7...64).contains(text.count) && text.allSatisfy(\.isHexDigit)
    }

    /// A repository URL as the default GitHub/GitLab transforms spell it (the web URL), so that a sync's repository
    /// matches the `change.merged` of the same repository: `https://host/org/repo.git`, `git@host:org/repo.git` and
    /// `ssh://git@host/org/repo` all become `https://host/org/repo`. Other URLs (a Helm repository) are kept as given.
    public static func repository(_ url: String) -> String? {
        var text = url.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("ssh://") {
            text = String(text.dropFirst(6))
            if let at = text.firstIndex(of: "@") { text = String(text[text.index(after: at)...]) }
            text = "https://" + text
        } else if !text.contains("://"), let at = text.firstIndex(of: "@"), let colon = text[at...].firstIndex(of: ":") {
            text = "https://" + text[text.index(after: at)..<colon] + "/" + text[text.index(after: colon)...]
        }
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".git") { text.removeLast(4) }
        return text
    }

    /// A non-empty string at `value`.
    static func string(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// An RFC 3339 time at `value`.
    static func time(_ value: JSONValue?) -> Date? {
        string(value).flatMap(RFC3339.parse)
    }
}
