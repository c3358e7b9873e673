import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// One request of the mix: where it goes, what it carries, and whether it is valid.
private struct Probe: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case valid, validCDEvent, nulInData, nulInBinaryBody, longID, longIDHeader, yearZero, yearZeroCDEvent, nulInCDEvent, longCDEventSubject,
            postgresOnly
    }
    var kind: Kind
    var path: String
    var headers: HTTPFields
    var body: String
    var isValid: Bool { kind == .valid || kind == .validCDEvent }
}

/// Random Base64 text of `count` characters (pglz cannot compress it below the btree row limit).
private func incompressible(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let raw = (0..<(count * 3 / 4)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return String(Data(raw).base64EncodedString().prefix(count))
}

private func structured(_ json: String) -> (HTTPFields, String) {
    ([.contentType: "application/cloudevents+json"], json)
}

private func cdEvent(id: String, timestamp: String = "2024-05-01T10:00:00Z", subjectID: String = "service/web", customData: String? = nil) -> String {
    let custom = customData.map { #","customData":\#($0)"# } ?? ""
    let data = #"""
        {"context":{"specversion":"0.5.1","id":"\#(id)","source":"/tekton","type":"dev.cdevents.service.deployed.0.3.0","timestamp":"\#(timestamp)"},\#
        "subject":{"id":"\#(subjectID)","content":{"environment":{"id":"production"},"artifactId":"pkg:oci/web@sha256:abc"}}\#(custom)}
        """#
    return #"{"specversion":"1.0","id":"\#(id)","source":"/tekton","type":"dev.cdevents.service.deployed.0.3.0","data":\#(data)}"#
}

private func probes(valid: Int, poisonRounds: Int) -> [Probe] {
    var probes: [Probe] = []
    for index in 0..<valid {
        if index % 2 == 0 {
            probes.append(Probe(kind: .valid, path: "/events", headers: binaryHeaders(id: "v\(index)", source: "/valid"), body: #"{"n":\#(index)}"#))
        } else {
            let (headers, body) = structured(#"{"specversion":"1.0","id":"v\#(index)","source":"/valid","type":"t","time":"2024-05-01T10:00:00Z","data":{"n":\#(index)}}"#)
            probes.append(Probe(kind: .valid, path: "/events", headers: headers, body: body))
        }
        if index % 10 == 0 {
            let (headers, body) = structured(cdEvent(id: "cd-valid-\(index)"))
            probes.append(Probe(kind: .validCDEvent, path: "/cdevents", headers: headers, body: body))
        }
    }
    for round in 0..<poisonRounds {
        func add(_ kind: Probe.Kind, _ pair: (HTTPFields, String), path: String = "/events") {
            probes.append(Probe(kind: kind, path: path, headers: pair.0, body: pair.1))
        }
        add(.nulInData, structured(#"{"specversion":"1.0","id":"p\#(round)","source":"/poison","type":"t","data":{"x":"a\u0000b"}}"#))
        add(.nulInBinaryBody, (binaryHeaders(id: "pb\(round)", source: "/poison"), #"{"x":["\u0000"]}"#))
        add(.longID, structured(#"{"specversion":"1.0","id":"\#(incompressible(10_240))","source":"/poison","type":"t"}"#))
        add(.longIDHeader, (binaryHeaders(id: incompressible(10_240), source: "/poison"), "{}"))
        add(.yearZero, structured(#"{"specversion":"1.0","id":"py\#(round)","source":"/poison","type":"t","time":"0000-06-01T00:00:00Z"}"#))
        add(.yearZeroCDEvent, structured(cdEvent(id: "cd-p-year-\(round)", timestamp: "0000-06-01T00:00:00Z")), path: "/cdevents")
        add(.nulInCDEvent, structured(cdEvent(id: "cd-p-nul-\(round)", customData: #"{"k":"\u0000"}"#)), path: "/cdevents")
        add(.longCDEventSubject, structured(cdEvent(id: "cd-p-long-\(round)", subjectID: incompressible(10_240))), path: "/cdevents")
        // Valid for Pacer, refused by a CHECK constraint the test adds: stands for whatever only PostgreSQL catches.
        add(.postgresOnly, (binaryHeaders(id: "pg\(round)", source: "/poison", type: "test.postgres.refuses"), "{}"))
    }
    // A fixed interleaving, so poison requests are in flight together with valid ones.
    var generator = SplitMix(seed: 16)
    probes.shuffle(using: &generator)
    return probes
}

@Suite("One bad sender never hurts another (issue 16)", .enabled(if: TestDatabase.enabled))
struct PoisonIsolationTests {
    @Test func poisonRequestsGet4xxAndValidOnesAreStoredExactlyOnce() async throws {
        let mix = probes(valid: 400, poisonRounds: 12)
        let validEvents = mix.filter { $0.kind == .valid }.count
        let validCDEvents = mix.filter { $0.kind == .validCDEvent }.count
        try await TestDatabase.withFreshDatabase { client, url in
            try await client.query(
                "ALTER TABLE cloudevents_raw ADD CONSTRAINT test_postgres_refuses CHECK (ce_type <> 'test.postgres.refuses')",
                logger: TestDatabase.logger)
            let statuses = try await PacerTestApp.run(databaseURL: url, writeTimeout: .seconds(60), testing: .ahc(.http)) { client in
                // As many senders as the client has connections (AsyncHTTPClient's default, 8 per host), each with one
                // request in flight: concurrent enough for poison and valid events to share commits, and no request
                // waits for a pooled connection (a pool timeout under a loaded machine is not what this test is about).
                let senders = 8
                return try await withThrowingTaskGroup(of: [(Probe.Kind, Int, String)].self) { group in
                    for sender in 0..<senders {
                        group.addTask {
                            var results: [(Probe.Kind, Int, String)] = []
                            for probe in mix.enumerated().filter({ $0.offset % senders == sender }).map(\.element) {
                                let response = try await client.execute(
                                    uri: probe.path, method: .post, headers: probe.headers, body: ByteBuffer(string: probe.body))
                                results.append((probe.kind, response.status.code, response.errorMessage ?? ""))
                            }
                            return results
                        }
                    }
                    var statuses: [Probe.Kind: [Int: Int]] = [:]
                    for try await results in group {
                        for (kind, status, message) in results {
                            statuses[kind, default: [:]][status, default: 0] += 1
                            if status == 503 || status >= 500 { Issue.record("\(kind): \(status) \(message)") }
                        }
                    }
                    return statuses
                }
            }
            print("poison isolation: \(mix.count) requests (\(validEvents) valid /events, \(validCDEvents) valid /cdevents, \(mix.count - validEvents - validCDEvents) poison); statuses by kind:")
            for kind in Probe.Kind.allCases {
                print("  \(kind.rawValue): \(statuses[kind]?.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ") ?? "-")")
            }
            for kind in Probe.Kind.allCases {
                let seen = statuses[kind] ?? [:]
                switch kind {
                case .valid, .validCDEvent:
                    #expect(seen.keys.allSatisfy { (200..<300).contains($0) }, "\(kind): \(seen)")
                case .postgresOnly:
                    #expect(seen == [422: 12], "\(kind): \(seen)")
                default:
                    #expect(seen == [400: 12], "\(kind): \(seen)")
                }
            }
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source = '/valid'") == validEvents)
            #expect(try await storedCount(url, "SELECT count(DISTINCT ce_id)::int FROM cloudevents_raw WHERE ce_source = '/valid'") == validEvents)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cdevents_raw WHERE cd_id LIKE 'cd-valid-%'") == validCDEvents)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source <> '/valid'") == 0)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cdevents_raw WHERE cd_id NOT LIKE 'cd-valid-%'") == 0)
            let commits = try await storedCount(url, "SELECT count(DISTINCT ingest_xid)::int FROM cloudevents_raw")
            print("poison isolation: \(validEvents) valid CloudEvents stored in \(commits) commits")
        }
    }
}
