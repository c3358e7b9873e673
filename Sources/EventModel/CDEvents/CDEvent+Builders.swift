import Foundation
import PacerCore

/// `outcome` of pipeline runs, task runs and test runs in CDEvents v0.5.1.
public enum CDEventOutcome: String, Sendable, Hashable, CaseIterable {
    case success, failure, cancel, error
}

extension CDEvent {
    /// Builds a v0.5.1 event of a known type (`"service.deployed"`) and checks it with `validate(.strict)`, so
    /// the result satisfies the official schema. Optional content fields are given as `nil` and left out.
    ///
    /// - Parameters:
    ///   - id: `context.id`, unique per `source` (derive it from the input event to make emission idempotent).
    ///   - source: `context.source`, a URI-reference naming the producer (`/pacer/<namespace>/<transform>`).
    ///   - subjectSource: only when the subject belongs to another system than `source`.
    public static func make(
        _ name: String, id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        content: [String: JSONValue?], customData: JSONValue? = nil, customDataContentType: String? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        guard let entry = CDEventTypeRegistry.entry(named: name) else {
            throw CDEventValidationError(.unknownType, path: "context.type", "\(name) is not a CDEvents \(CDEventVersion.specification) event type")
        }
        let event = CDEvent(
            context: Context(id: id, source: source, type: entry.type, timestamp: CDEventTimestamp(timestamp)),
            subject: Subject(id: subjectId, source: subjectSource, content: content.compactMapValues { $0 }),
            customData: customData, customDataContentType: customDataContentType)
        try event.validate(.strict)
        return event
    }

    // MARK: service (deployment frequency, change failure rate, time to restore)

    /// `dev.cdevents.service.deployed.0.3.0`: a new instance of a service (subject `service/<name>`) in an environment.
    public static func serviceDeployed(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, artifactId: String, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "service.deployed", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["environment": environment.jsonValue, "artifactId": .string(artifactId)], customData: customData)
    }

    /// `dev.cdevents.service.upgraded.0.3.0`: an existing instance now runs another artifact version.
    public static func serviceUpgraded(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, artifactId: String, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "service.upgraded", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["environment": environment.jsonValue, "artifactId": .string(artifactId)], customData: customData)
    }

    /// `dev.cdevents.service.rolledback.0.3.0`: an instance went back to a previous artifact version.
    public static func serviceRolledBack(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, artifactId: String, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "service.rolledback", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["environment": environment.jsonValue, "artifactId": .string(artifactId)], customData: customData)
    }

    /// `dev.cdevents.service.removed.0.3.0`: an instance was removed (the schema has no artifactId).
    public static func serviceRemoved(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference?, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "service.removed", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["environment": environment?.jsonValue], customData: customData)
    }

    // MARK: change (lead time for changes)

    /// `dev.cdevents.change.created.0.4.0`: a change (PR/MR) was proposed.
    public static func changeCreated(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        repository: CDEventReference?, description: String? = nil, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "change.created", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["repository": repository?.jsonValue, "description": description.map { .string($0) }], customData: customData)
    }

    /// `dev.cdevents.change.merged.0.3.0`: a change was merged (subject.id may be the commit).
    public static func changeMerged(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        repository: CDEventReference?, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "change.merged", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["repository": repository?.jsonValue], customData: customData)
    }

    // MARK: incident (change failure rate, time to restore service)

    /// `dev.cdevents.incident.detected.0.3.0`: a problem was detected in an environment.
    public static func incidentDetected(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, service: CDEventReference? = nil, artifactId: String? = nil, description: String? = nil,
        customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "incident.detected", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: incidentContent(environment, service, artifactId, description), customData: customData)
    }

    /// `dev.cdevents.incident.reported.0.3.0`: an incident was reported in a ticketing system (`ticketURI`: absolute URI).
    public static func incidentReported(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, ticketURI: String, service: CDEventReference? = nil, artifactId: String? = nil,
        description: String? = nil, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        var content = incidentContent(environment, service, artifactId, description)
        content["ticketURI"] = .string(ticketURI)
        return try make(
            "incident.reported", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: content, customData: customData)
    }

    /// `dev.cdevents.incident.resolved.0.3.0`: the incident is over.
    public static func incidentResolved(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        environment: CDEventReference, service: CDEventReference? = nil, artifactId: String? = nil, description: String? = nil,
        customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "incident.resolved", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: incidentContent(environment, service, artifactId, description), customData: customData)
    }

    private static func incidentContent(
        _ environment: CDEventReference, _ service: CDEventReference?, _ artifactId: String?, _ description: String?
    ) -> [String: JSONValue?] {
        [
            "environment": environment.jsonValue, "service": service?.jsonValue, "artifactId": artifactId.map { .string($0) },
            "description": description.map { .string($0) },
        ]
    }

    // MARK: environment, pipeline run, artifact

    /// `dev.cdevents.environment.created.0.3.0` (`uri`: absolute URI of the environment, if any).
    public static func environmentCreated(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        name: String? = nil, uri: String? = nil, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "environment.created", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["name": name.map { .string($0) }, "uri": uri.map { .string($0) }], customData: customData)
    }

    /// `dev.cdevents.environment.modified.0.3.0`.
    public static func environmentModified(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        name: String? = nil, uri: String? = nil, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "environment.modified", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["name": name.map { .string($0) }, "uri": uri.map { .string($0) }], customData: customData)
    }

    /// `dev.cdevents.pipelinerun.finished.0.3.0` (`uri`: absolute URI of the run, if any).
    public static func pipelineRunFinished(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        pipelineName: String? = nil, uri: String? = nil, outcome: CDEventOutcome? = nil, errors: String? = nil,
        customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "pipelinerun.finished", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: [
                "pipelineName": pipelineName.map { .string($0) }, "uri": uri.map { .string($0) },
                "outcome": outcome.map { .string($0.rawValue) }, "errors": errors.map { .string($0) },
            ], customData: customData)
    }

    /// `dev.cdevents.artifact.published.0.3.0` (subject.id: the artifact's Purl; `sbomURI`: URI-reference of its SBOM).
    public static func artifactPublished(
        id: String, source: String, timestamp: Date, subjectId: String, subjectSource: String? = nil,
        sbomURI: String? = nil, user: String? = nil, customData: JSONValue? = nil
    ) throws(CDEventValidationError) -> CDEvent {
        try make(
            "artifact.published", id: id, source: source, timestamp: timestamp, subjectId: subjectId, subjectSource: subjectSource,
            content: ["sbom": sbomURI.map { .object(["uri": .string($0)]) }, "user": user.map { .string($0) }], customData: customData)
    }
}
