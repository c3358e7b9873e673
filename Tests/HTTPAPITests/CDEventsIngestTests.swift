import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

@Suite("CDEvents ingest over HTTP", .enabled(if: TestDatabase.enabled))
struct CDEventsIngestTests {
    static let example = RepoPaths.shared + "/specs/cdevents/0.5.1/conformance/service_deployed.json"

    /// A v0.4-era service.deployed (context.version, subject.type), as older SDKs still send.
    static let legacy = #"""
        {"context":{"version":"0.4.1","id":"legacy-1","source":"/tekton","type":"dev.cdevents.service.deployed.0.2.0","timestamp":"2024-05-01T10:00:00Z"},
         "subject":{"id":"service/web","type":"service","content":{"environment":{"id":"production"},"artifactId":"pkg:oci/web@sha256:abc"}}}
        """#

    private func structured(_ cdEvent: String, id: String, type: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/tekton","type":"\#(type)","datacontenttype":"application/json","data":\#(cdEvent)}"#
    }

    @Test func theOfficialExampleIsStoredInCdeventsRaw() async throws {
        let example = try String(contentsOfFile: Self.example, encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(example.utf8)) as? [String: Any])
        let context = try #require(json["context"] as? [String: Any])
        let id = try #require(context["id"] as? String)
        let type = try #require(context["type"] as? String)
        let source = try #require(context["source"] as? String)
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                var headers = HTTPFields()
                headers[HTTPField.Name("ce-id")!] = id
                headers[HTTPField.Name("ce-source")!] = source
                headers[HTTPField.Name("ce-specversion")!] = "1.0"
                headers[HTTPField.Name("ce-type")!] = type
                headers[.contentType] = "application/json"
                let response = try await client.post("/cdevents", headers: headers, body: example)
                #expect(response.status == .accepted, "\(response.text)")
                let again = try await client.post("/cdevents", headers: headers, body: example)
                #expect(again.json?["duplicates"] as? Int == 1)
            }
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cdevents_raw WHERE cd_type = 'dev.cdevents.service.deployed.0.3.0' AND cd_subject_id <> ''") == 1)
        }
    }

    @Test func aLegacyEventIsStoredNormalisedToV051AndPassesTheSchema() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let response = try await client.post(
                    "/cdevents", headers: [.contentType: "application/cloudevents+json"],
                    body: structured(Self.legacy, id: "legacy-1", type: "dev.cdevents.service.deployed.0.2.0"))
                #expect(response.status == .accepted, "\(response.text)")
            }
            let content = try await TestDatabase.withClient(url: url) { client in
                var rows: [(String, String)] = []
                for try await row in try await client.query("SELECT cd_type, content::text FROM cdevents_raw", logger: TestDatabase.logger).decode((String, String).self) {
                    rows.append(row)
                }
                return rows
            }
            #expect(content.map(\.0) == ["dev.cdevents.service.deployed.0.3.0"])
            let stored = try #require(content.first?.1)
            #expect(stored.contains(#""specversion": "0.5.1""#))
            // The stored event satisfies the official v0.5.1 schema.
            let result = try await Subprocess.run(["/usr/bin/env", "python3", RepoPaths.root + "/hack/validate-cdevents.py"], stdin: Data("[\(stored)]".utf8))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        }
    }

    @Test func invalidCDEventsAre400WithThePathNamed() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let missing = Self.legacy.replacingOccurrences(of: #","artifactId":"pkg:oci/web@sha256:abc""#, with: "")
                let noArtifact = try await client.post(
                    "/cdevents", headers: [.contentType: "application/cloudevents+json"],
                    body: structured(missing, id: "legacy-1", type: "dev.cdevents.service.deployed.0.2.0"))
                #expect(noArtifact.status == .badRequest)
                #expect(noArtifact.errorMessage?.hasPrefix("subject.content.artifactId:") == true, "\(noArtifact.text)")

                let unknown = Self.legacy.replacingOccurrences(of: "service.deployed.0.2.0", with: "service.exploded.0.1.0")
                let unknownType = try await client.post(
                    "/cdevents", headers: [.contentType: "application/cloudevents+json"],
                    body: structured(unknown, id: "legacy-1", type: "dev.cdevents.service.exploded.0.1.0"))
                #expect(unknownType.status == .badRequest)
                #expect(unknownType.errorMessage?.contains("service.exploded") == true, "\(unknownType.text)")

                let notCD = try await client.post("/cdevents", headers: binaryHeaders(id: "x"), body: "{}")
                #expect(notCD.status == .badRequest)
                #expect(notCD.errorMessage?.contains("is not a CDEvents type") == true)
            }
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cdevents_raw") == 0)
        }
    }
}
