import KubeCore
import PacerCore

/// What the deriver remembers about one Deployment (by uid) between observations.
struct DeploymentRecord: Sendable {
    /// The last revision a `revision` event was derived for.
    var revision: Int64?
    /// Container name → image of that revision.
    var images: [String: String] = [:]
    /// Hash of that revision's template without the `kubectl.kubernetes.io/restartedAt` annotation: a new revision
    /// with the same hash (and a different full template) is a restart (`kubectl rollout restart`).
    var restartHash: UInt64?
    /// That revision was a restart that is not counted: its rollout events are not derived.
    var uncountedRestart = false
    /// Template hash → revision, oldest first, bounded by the history limit.
    var history: [(hash: UInt64, revision: Int64)] = []
    /// Ids already derived (so status churn derives nothing new); trimmed when it grows.
    var emitted: Set<String> = []
    /// Available has been True at some point (seen, or inferred on first sight).
    var wasAvailable = false
    /// A `availability.lost` was derived for the current unavailable period.
    var lostOpen = false
    /// Whether the last rollout derived (`rollout.completed` or `rollout.failed`) failed; nil when this process has not
    /// seen one (first sight past revision 1, after a restart of Pacer). A `rollout.completed` carries it as
    /// `previousRolloutFailed`, so the default pipeline sends the `incident.resolved` that closes a failed rollout's
    /// incident only when one can be open.
    var lastRolloutFailed: Bool?
    /// `rollback`, `previousRevision` and `previousImages` of the current revision, repeated on its
    /// `rollout.completed`/`rollout.failed` so each event says what the rollout replaced.
    var transition: [String: JSONValue] = [:]

    mutating func remember(hash: UInt64, revision: Int64, limit: Int) {
        history.removeAll { $0.hash == hash }
        history.append((hash, revision))
        if history.count > max(1, limit) { history.removeFirst(history.count - max(1, limit)) }
    }

    /// The earlier revision that had this template, if any.
    func earlierRevision(with hash: UInt64, before revision: Int64) -> Int64? {
        history.last { $0.hash == hash && $0.revision < revision }?.revision
    }
}

/// A stable hash of a pod template, for rollback detection: of the whole template JSON when the
/// raw object is known, else of the fields the typed ``Deployment`` models (labels, annotations,
/// container names and images). The `pod-template-hash` label is ignored; with `ignoringRestart` the
/// `kubectl.kubernetes.io/restartedAt` annotation is ignored too (the only change `kubectl rollout restart` makes).
enum TemplateHash {
    /// The pod template annotation `kubectl rollout restart` sets to the current time.
    static let restartedAt = "kubectl.kubernetes.io/restartedAt"

    /// Hash of the full `spec.template` JSON (keys sorted).
    static func of(raw template: JSONValue, ignoringRestart: Bool = false) -> UInt64 {
        var copy = template
        if var labels = copy["metadata"]?["labels"]?.objectValue {
            labels["pod-template-hash"] = nil
            copy["metadata"]?["labels"] = .object(labels)
        }
        if ignoringRestart, var annotations = copy["metadata"]?["annotations"]?.objectValue {
            annotations[restartedAt] = nil
            copy["metadata"]?["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        return fnv1a("raw:" + copy.jsonString())
    }

    static func of(_ template: Deployment.PodTemplate?, ignoringRestart: Bool = false) -> UInt64 {
        var text = "labels:"
        for (key, value) in (template?.metadata?.labels ?? [:]).sorted(by: { $0.key < $1.key }) where key != "pod-template-hash" {
            text += "\(key)=\(value);"
        }
        text += "annotations:"
        for (key, value) in (template?.metadata?.annotations ?? [:]).sorted(by: { $0.key < $1.key }) where !(ignoringRestart && key == restartedAt) {
            text += "\(key)=\(value);"
        }
        text += "containers:"
        for container in template?.spec?.containers ?? [] {
            text += "\(container.name)=\(container.image ?? "");"
        }
        return fnv1a(text)
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
