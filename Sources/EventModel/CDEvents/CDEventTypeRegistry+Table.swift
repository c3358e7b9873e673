// GENERATED from the CDEvents v0.5.1 JSON schemas (shared/specs/cdevents/0.5.1/schemas/*.json) and the type
// versions of every release tag of github.com/cdevents/spec (v0.1.0 … v0.5.1). Do not edit by hand: a test
// (CDEventSchemaTableTests) compares this table with the schema files and fails when they drift apart.
// swift-format-ignore-file

extension CDEventTypeRegistry {
    /// Every CDEvents v0.5.1 event type: its current version, the versions older releases used, and the
    /// `subject.content` schema, one entry per schema file.
    static let generatedEntries: [CDEventTypeRegistry.Entry] = [
        CDEventTypeRegistry.Entry(
            subject: "artifact", predicate: "deleted", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/artifact-deleted-event", schemaFile: "artifactdeleted.json",
            content: .object([
                ("user", .string(minLength: 1)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "artifact", predicate: "downloaded", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/artifact-downloaded-event", schemaFile: "artifactdownloaded.json",
            content: .object([
                ("user", .string(minLength: 1)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "artifact", predicate: "packaged", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/artifact-packaged-event", schemaFile: "artifactpackaged.json",
            content: .object([
                ("change", .reference),
                ("sbom", .object([
                    ("uri", .string(minLength: 1, format: .uriReference)),
                ], required: ["uri"], closed: true)),
            ], required: ["change"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "artifact", predicate: "published", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/artifact-published-event", schemaFile: "artifactpublished.json",
            content: .object([
                ("sbom", .object([
                    ("uri", .string(minLength: 1, format: .uriReference)),
                ], required: ["uri"], closed: true)),
                ("user", .string(minLength: 1)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "artifact", predicate: "signed", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/artifact-signed-event", schemaFile: "artifactsigned.json",
            content: .object([
                ("signature", .string(minLength: 1)),
            ], required: ["signature"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "branch", predicate: "created", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/branch-created-event", schemaFile: "branchcreated.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "branch", predicate: "deleted", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/branch-deleted-event", schemaFile: "branchdeleted.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "build", predicate: "finished", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/build-finished-event", schemaFile: "buildfinished.json",
            content: .object([
                ("artifactId", .string()),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "build", predicate: "queued", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/build-queued-event", schemaFile: "buildqueued.json",
            content: .object([], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "build", predicate: "started", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/build-started-event", schemaFile: "buildstarted.json",
            content: .object([], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "change", predicate: "abandoned", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/change-abandoned-event", schemaFile: "changeabandoned.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "change", predicate: "created", version: CDEventVersion(0, 4, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 3, 0), CDEventVersion(0, 4, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/change-created-event", schemaFile: "changecreated.json",
            content: .object([
                ("description", .string(minLength: 1)),
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "change", predicate: "merged", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/change-merged-event", schemaFile: "changemerged.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "change", predicate: "reviewed", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/change-reviewed-event", schemaFile: "changereviewed.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "change", predicate: "updated", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 1, 2), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/change-updated-event", schemaFile: "changeupdated.json",
            content: .object([
                ("repository", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "environment", predicate: "created", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/environment-created-event", schemaFile: "environmentcreated.json",
            content: .object([
                ("name", .string()),
                ("uri", .string(format: .uri)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "environment", predicate: "deleted", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/environment-deleted-event", schemaFile: "environmentdeleted.json",
            content: .object([
                ("name", .string()),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "environment", predicate: "modified", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/environment-modified-event", schemaFile: "environmentmodified.json",
            content: .object([
                ("name", .string()),
                ("uri", .string(format: .uri)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "incident", predicate: "detected", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/incident-detected-event", schemaFile: "incidentdetected.json",
            content: .object([
                ("description", .string()),
                ("environment", .reference),
                ("service", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "incident", predicate: "reported", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/incident-reported-event", schemaFile: "incidentreported.json",
            content: .object([
                ("description", .string()),
                ("environment", .reference),
                ("ticketURI", .string(minLength: 1, format: .uri)),
                ("service", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment", "ticketURI"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "incident", predicate: "resolved", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/incident-resolved-event", schemaFile: "incidentresolved.json",
            content: .object([
                ("description", .string()),
                ("environment", .reference),
                ("service", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "pipelinerun", predicate: "finished", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/pipelinerun-finished-event", schemaFile: "pipelinerunfinished.json",
            content: .object([
                ("pipelineName", .string()),
                ("uri", .string(format: .uri)),
                ("outcome", .string(allowed: ["success", "failure", "cancel", "error"])),
                ("errors", .string()),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "pipelinerun", predicate: "queued", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/pipelinerun-queued-event", schemaFile: "pipelinerunqueued.json",
            content: .object([
                ("pipelineName", .string()),
                ("uri", .string(format: .uri)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "pipelinerun", predicate: "started", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/pipelinerun-started-event", schemaFile: "pipelinerunstarted.json",
            content: .object([
                ("pipelineName", .string()),
                ("uri", .string(format: .uri)),
            ], required: ["pipelineName", "uri"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "repository", predicate: "created", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/repository-created-event", schemaFile: "repositorycreated.json",
            content: .object([
                ("name", .string(minLength: 1)),
                ("owner", .string()),
                ("uri", .string(format: .uri)),
                ("viewUrl", .string(format: .uri)),
            ], required: ["name", "uri"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "repository", predicate: "deleted", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/repository-deleted-event", schemaFile: "repositorydeleted.json",
            content: .object([
                ("name", .string()),
                ("owner", .string()),
                ("uri", .string(format: .uri)),
                ("viewUrl", .string(format: .uri)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "repository", predicate: "modified", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/repository-modified-event", schemaFile: "repositorymodified.json",
            content: .object([
                ("name", .string()),
                ("owner", .string()),
                ("uri", .string(format: .uri)),
                ("viewUrl", .string(format: .uri)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "service", predicate: "deployed", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/service-deployed-event", schemaFile: "servicedeployed.json",
            content: .object([
                ("environment", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment", "artifactId"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "service", predicate: "published", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/service-published-event", schemaFile: "servicepublished.json",
            content: .object([
                ("environment", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "service", predicate: "removed", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/service-removed-event", schemaFile: "serviceremoved.json",
            content: .object([
                ("environment", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "service", predicate: "rolledback", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/service-rolledback-event", schemaFile: "servicerolledback.json",
            content: .object([
                ("environment", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment", "artifactId"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "service", predicate: "upgraded", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/service-upgraded-event", schemaFile: "serviceupgraded.json",
            content: .object([
                ("environment", .reference),
                ("artifactId", .string(minLength: 1)),
            ], required: ["environment", "artifactId"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "taskrun", predicate: "finished", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/taskrun-finished-event", schemaFile: "taskrunfinished.json",
            content: .object([
                ("taskName", .string()),
                ("uri", .string(format: .uri)),
                ("pipelineRun", .reference),
                ("outcome", .string()),
                ("errors", .string()),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "taskrun", predicate: "started", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 1, 1), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/taskrun-started-event", schemaFile: "taskrunstarted.json",
            content: .object([
                ("taskName", .string()),
                ("uri", .string(format: .uri)),
                ("pipelineRun", .reference),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testcaserun", predicate: "finished", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testcaserun-finished-event", schemaFile: "testcaserunfinished.json",
            content: .object([
                ("outcome", .string(allowed: ["success", "failure", "cancel", "error"])),
                ("severity", .string(allowed: ["low", "medium", "high", "critical"])),
                ("reason", .string()),
                ("environment", .reference),
                ("testSuiteRun", .object([
                    ("id", .string(minLength: 1)),
                    ("source", .string()),
                ], required: ["id"], closed: true)),
                ("testCase", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("type", .string(allowed: ["performance", "functional", "unit", "security", "compliance", "integration", "e2e", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: ["outcome", "environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testcaserun", predicate: "queued", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testcaserun-queued-event", schemaFile: "testcaserunqueued.json",
            content: .object([
                ("trigger", .object([
                    ("type", .string(allowed: ["manual", "pipeline", "event", "schedule", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: [], closed: false)),
                ("environment", .reference),
                ("testSuiteRun", .object([
                    ("id", .string(minLength: 1)),
                    ("source", .string()),
                ], required: ["id"], closed: true)),
                ("testCase", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("type", .string(allowed: ["performance", "functional", "unit", "security", "compliance", "integration", "e2e", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testcaserun", predicate: "skipped", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testcaserun-skipped-event", schemaFile: "testcaserunskipped.json",
            content: .object([
                ("reason", .string()),
                ("environment", .reference),
                ("testSuiteRun", .object([
                    ("id", .string(minLength: 1)),
                    ("source", .string()),
                ], required: ["id"], closed: true)),
                ("testCase", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("type", .string(allowed: ["performance", "functional", "unit", "security", "compliance", "integration", "e2e", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: [], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testcaserun", predicate: "started", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testcaserun-started-event", schemaFile: "testcaserunstarted.json",
            content: .object([
                ("trigger", .object([
                    ("type", .string(allowed: ["manual", "pipeline", "event", "schedule", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: [], closed: false)),
                ("environment", .reference),
                ("testSuiteRun", .object([
                    ("id", .string(minLength: 1)),
                    ("source", .string()),
                ], required: ["id"], closed: true)),
                ("testCase", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("type", .string(allowed: ["performance", "functional", "unit", "security", "compliance", "integration", "e2e", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testoutput", predicate: "published", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/test-output-published-event", schemaFile: "testoutputpublished.json",
            content: .object([
                ("outputType", .string(allowed: ["report", "video", "image", "log", "other"])),
                ("format", .string()),
                ("uri", .string(format: .uri)),
                ("testCaseRun", .object([
                    ("id", .string(minLength: 1)),
                    ("source", .string()),
                ], required: ["id"], closed: true)),
            ], required: ["outputType", "format"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testsuiterun", predicate: "finished", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testsuiterun-finished-event", schemaFile: "testsuiterunfinished.json",
            content: .object([
                ("environment", .reference),
                ("testSuite", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
                ("outcome", .string(allowed: ["success", "failure", "cancel", "error"])),
                ("severity", .string(allowed: ["low", "medium", "high", "critical"])),
                ("reason", .string()),
            ], required: ["outcome", "environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testsuiterun", predicate: "queued", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testsuiterun-queued-event", schemaFile: "testsuiterunqueued.json",
            content: .object([
                ("trigger", .object([
                    ("type", .string(allowed: ["manual", "pipeline", "event", "schedule", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: [], closed: false)),
                ("environment", .reference),
                ("testSuite", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "testsuiterun", predicate: "started", version: CDEventVersion(0, 3, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0), CDEventVersion(0, 3, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/testsuiterun-started-event", schemaFile: "testsuiterunstarted.json",
            content: .object([
                ("trigger", .object([
                    ("type", .string(allowed: ["manual", "pipeline", "event", "schedule", "other"])),
                    ("uri", .string(format: .uri)),
                ], required: [], closed: false)),
                ("environment", .reference),
                ("testSuite", .object([
                    ("id", .string(minLength: 1)),
                    ("version", .string()),
                    ("name", .string()),
                    ("uri", .string(format: .uri)),
                ], required: ["id"], closed: true)),
            ], required: ["environment"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "ticket", predicate: "closed", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/ticket-closed-event", schemaFile: "ticketclosed.json", subjectType: "ticket",
            content: .object([
                ("summary", .string()),
                ("ticketType", .string(minLength: 0)),
                ("group", .string()),
                ("creator", .string(minLength: 1)),
                ("assignees", .array(items: .string())),
                ("priority", .string(minLength: 0)),
                ("labels", .array(items: .string())),
                ("milestone", .string()),
                ("uri", .string(minLength: 1, format: .uriReference)),
                ("resolution", .string(minLength: 1)),
                ("updatedBy", .string()),
            ], required: ["uri", "resolution"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "ticket", predicate: "created", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/ticket-created-event", schemaFile: "ticketcreated.json",
            content: .object([
                ("summary", .string()),
                ("ticketType", .string(minLength: 0)),
                ("group", .string()),
                ("creator", .string(minLength: 1)),
                ("assignees", .array(items: .string())),
                ("priority", .string(minLength: 0)),
                ("labels", .array(items: .string())),
                ("milestone", .string()),
                ("uri", .string(minLength: 1, format: .uriReference)),
            ], required: ["summary", "creator", "uri"], closed: true)
        ),
        CDEventTypeRegistry.Entry(
            subject: "ticket", predicate: "updated", version: CDEventVersion(0, 2, 0),
            acceptedVersions: [CDEventVersion(0, 1, 0), CDEventVersion(0, 2, 0)],
            schemaId: "https://cdevents.dev/0.5.1/schema/ticket-updated-event", schemaFile: "ticketupdated.json",
            content: .object([
                ("summary", .string()),
                ("ticketType", .string(minLength: 0)),
                ("group", .string()),
                ("creator", .string(minLength: 1)),
                ("assignees", .array(items: .string())),
                ("priority", .string(minLength: 0)),
                ("labels", .array(items: .string())),
                ("milestone", .string()),
                ("updatedBy", .string()),
                ("uri", .string(minLength: 1, format: .uriReference)),
            ], required: ["uri"], closed: true)
        ),
    ]
}
