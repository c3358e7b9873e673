import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// One generated hostile request: a body and headers that no reading of the CloudEvents specs makes valid, and the
/// statuses Pacer may answer it with.
private struct Hostile: Sendable {
    var category: String
    var path = "/events"
    var headers: HTTPFields
    var body: [UInt8]
    var allowed: Set<Int> = [400]
}

private let structuredType: HTTPFields = [.contentType: "application/cloudevents+json"]

/// A valid structured event of the hostile source, as JSON text, with `extra` members spliced in.
private func event(_ id: String, extra: String = "") -> String {
    #"{"specversion":"1.0","id":"\#(id)","source":"/hostile","type":"t"\#(extra.isEmpty ? "" : ",")\#(extra)}"#
}

/// Hundreds of malformed and extreme requests, each category with parameters drawn from a seeded generator (the
/// same requests every run, so a failure can be reproduced).
private func hostileRequests(rounds: Int) -> [Hostile] {
    var random = SplitMix(seed: 0x16_16)
    var requests: [Hostile] = []
    func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
    func add(_ category: String, _ body: String, headers: HTTPFields = structuredType, allowed: Set<Int> = [400], path: String = "/events") {
        requests.append(Hostile(category: category, path: path, headers: headers, body: Array(body.utf8), allowed: allowed))
    }
    for round in 0..<rounds {
        let id = "h\(round)-\(random.next() % 100_000)"
        let whole = event(id, extra: #""data":{"k":[1,2,3],"s":"text"}"#)
        // A JSON object cut anywhere before its closing brace is never JSON.
        add("truncated JSON", String(whole.prefix(1 + Int(random.next() % UInt64(whole.count - 1)))))
        // Random bytes that are not a JSON object.
        var noise = (0..<(1 + Int(random.next() % 200))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        noise[0] = pick([0x00, 0x7F, 0xFF, 0x5B, 0x22, 0x31])  // NUL, DEL, an invalid UTF-8 byte, '[', '"', '1'
        requests.append(Hostile(category: "random bytes", headers: structuredType, body: noise))
        // Invalid UTF-8 inside a JSON string.
        var invalidUTF8 = Array(event(id, extra: #""data":"ab""#).utf8)
        invalidUTF8.insert(pick([0xC3, 0xFF, 0xED, 0x80, 0xF8]), at: invalidUTF8.count - 3)
        requests.append(Hostile(category: "invalid UTF-8 in JSON", headers: structuredType, body: invalidUTF8))
        // Nesting far beyond anything an event needs.
        let depth = 10_000 + Int(random.next() % 90_000)
        add("deep nesting", event(id, extra: #""data":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)), allowed: [400, 413])
        // A required attribute missing.
        let required = pick(["specversion", "id", "source", "type"])
        let attributes = ["specversion": #""1.0""#, "id": "\"\(id)\"", "source": #""/hostile""#, "type": #""t""#].filter { $0.key != required }
        add("missing \(required)", "{" + attributes.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
        // Wrong specversion, empty attributes, attributes of the wrong JSON type.
        add("specversion", event(id).replacingOccurrences(of: #""1.0""#, with: pick([#""0.3""#, #""2.0""#, #""""#, "1.0", "null", #""1.0 ""#])))
        add("empty attribute", event(id).replacingOccurrences(of: pick([#""/hostile""#, #""t""#]), with: #""""#))
        add("attribute type", #"{"specversion":"1.0","id":\#(pick(["1", "true", "[]", "{}", "null"])),"source":"/hostile","type":"t"}"#)
        // A control character inside an attribute (JSON-escaped, so the JSON itself is fine).
        let control = String(format: "\\u%04x", Int(1 + random.next() % 31))
        add("control character", event(id).replacingOccurrences(of: #""type":"t""#, with: #""type":"t\#(control)x""#))
        // Times that are not RFC 3339 or outside what can be stored.
        add("time", event(id, extra: #""time":"\#(pick(["yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "2024-05-01 10:00", "2024-05-01T25:00:00Z", "99999-01-01T00:00:00Z"]))""#))
        // Media types that are not media types (RFC 9110 allows empty parameters, so `text/plain;;` is not here).
        add("datacontenttype", event(id, extra: #""datacontenttype":"\#(pick(["application/", "/json", "json", "a b/c", "text/plain; =x", "text/plain; charset"]))""#))
        // Extension names and values the format does not allow (a null is an absent attribute, so it is not here).
        add("extension name", event(id, extra: #""\#(pick(["Upper", "with-dash", "under_score", "dot.ted", "spa ce"]))":"v""#))
        add("extension value", event(id, extra: #""ext":\#(pick(["{}", "[1]", "1.5", "99999999999", "-3000000000"]))"#))
        // The same attribute twice.
        add("duplicate attribute", event(id, extra: #""\#(pick(["id", "type", "source", "specversion"]))":"again""#))
        // NUL inside data, which PostgreSQL's jsonb refuses.
        add("NUL in data", event(id, extra: #""data":{"x":"a\u0000b"}"#))
        // Identifiers over the documented 1,024 bytes.
        add("long id", event(String(repeating: "i", count: 1_025 + Int(random.next() % 20_000))), allowed: [400, 413])
        // Base64 data that is not Base64, and data given twice.
        add("data_base64", event(id, extra: #""data_base64":"\#(pick(["!!!", "abc", "a===", "@@@@"]))""#))
        add("data and data_base64", event(id, extra: #""data":1,"data_base64":"AAAA""#))
        // A batch: one bad member fails all, and a batch that is not an array.
        var batch: HTTPFields = [.contentType: "application/cloudevents-batch+json"]
        add("batch with one bad member", "[" + event("\(id)-a") + "," + event("\(id)-b").replacingOccurrences(of: #""1.0""#, with: #""9""#) + "]", headers: batch)
        add("batch not an array", event(id), headers: batch)
        batch[.contentType] = "application/cloudevents-batch+xml"
        add("batch format", "[]", headers: batch, allowed: [415])
        // Formats and content types that carry no CloudEvent.
        add("event format", event(id), headers: [.contentType: pick(["application/cloudevents+xml", "application/cloudevents+avro"])], allowed: [415])
        add("no CloudEvent", "hello", headers: [.contentType: pick(["text/plain", "application/xml"])], allowed: [400, 415])
        // Binary mode: a required header missing, malformed percent-encoding, raw non-ASCII in a ce- header.
        var binary = binaryHeaders(id: id, source: "/hostile")
        binary[HTTPField.Name(pick(["ce-id", "ce-source", "ce-type", "ce-specversion"]))!] = nil
        add("binary header missing", "{}", headers: binary)
        binary = binaryHeaders(id: id, source: "/hostile")
        binary[HTTPField.Name("ce-type")!] = pick(["a%", "a%2", "a%zz", "%C3%28", "%00"])
        add("binary percent-encoding", "{}", headers: binary)
        binary = binaryHeaders(id: id, source: "/hostile")
        binary.append(HTTPField(name: HTTPField.Name("ce-subject")!, lenientValue: Array("caf\u{E9}-\(round)".utf8)))
        add("binary raw UTF-8 header", "{}", headers: binary)
        binary = binaryHeaders(id: id, source: "/hostile")
        add("binary JSON body not JSON", "{\"open\": ", headers: binary)
        // CDEvents endpoint: not a CDEvent, or a CDEvent type with a body that is not one.
        add("cdevents: other type", event(id), path: "/cdevents")
        let cdType = event(id).replacingOccurrences(of: #""type":"t""#, with: #""type":"dev.cdevents.service.deployed.0.3.0""#)
        add("cdevents: bad body", String(cdType.dropLast()) + #","data":{"context":{}}}"#, path: "/cdevents")
        // Bodies over the limit (the test's limit is 64 KiB).
        add("oversized", event(id, extra: #""data":"\#(String(repeating: "z", count: 65_536 + Int(random.next() % 100_000)))""#), allowed: [413])
    }
    var generator = SplitMix(seed: 0x16)
    requests.shuffle(using: &generator)
    return requests
}

@Suite("A hostile-input suite: generated malformed and extreme requests among valid senders (issue 16)", .enabled(if: TestDatabase.enabled))
struct HostileInputTests {
    @Test func everyHostileRequestGetsA4xxAndEveryValidEventIsStoredOnce() async throws {
        let hostile = hostileRequests(rounds: 12)
        let valid = 300
        #expect(hostile.count >= 300)
        try await TestDatabase.withFreshDatabase { _, url in
            let answers = try await PacerTestApp.run(databaseURL: url, maxBodyBytes: 64 << 10, writeTimeout: .seconds(60), testing: .ahc(.http)) { client in
                try await withThrowingTaskGroup(of: [(String, Int, Set<Int>, String)].self) { group in
                    // 4 hostile senders and 4 valid ones, interleaved on AsyncHTTPClient's 8 connections.
                    for sender in 0..<4 {
                        group.addTask {
                            var answers: [(String, Int, Set<Int>, String)] = []
                            for request in hostile.enumerated().filter({ $0.offset % 4 == sender }).map(\.element) {
                                let response = try await client.execute(
                                    uri: request.path, method: .post, headers: request.headers, body: ByteBuffer(bytes: request.body))
                                answers.append((request.category, response.status.code, request.allowed, response.errorMessage ?? ""))
                            }
                            return answers
                        }
                        group.addTask {
                            var answers: [(String, Int, Set<Int>, String)] = []
                            for index in stride(from: sender, to: valid, by: 4) {
                                let response = try await client.post(headers: binaryHeaders(id: "v\(index)", source: "/valid"), body: #"{"n":\#(index)}"#)
                                answers.append(("valid", response.status.code, [202], response.errorMessage ?? ""))
                            }
                            return answers
                        }
                    }
                    var all: [(String, Int, Set<Int>, String)] = []
                    for try await answers in group { all += answers }
                    return all
                }
            }
            var byCategory: [String: [Int: Int]] = [:]
            for (category, status, allowed, message) in answers {
                byCategory[category, default: [:]][status, default: 0] += 1
                if !allowed.contains(status) { Issue.record("\(category): \(status), expected \(allowed.sorted()): \(message)") }
                // A refusal says why.
                if status >= 400, message.isEmpty { Issue.record("\(category): \(status) without an error message") }
            }
            print("hostile inputs: \(hostile.count) hostile and \(valid) valid requests; statuses by category:")
            for (category, statuses) in byCategory.sorted(by: { $0.key < $1.key }) {
                print("  \(category): \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))")
            }
            #expect(answers.count == hostile.count + valid)
            // Nothing hostile is stored; every valid event is, once.
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source <> '/valid'") == 0)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cdevents_raw") == 0)
            #expect(try await storedCount(url, "SELECT count(DISTINCT ce_id)::int FROM cloudevents_raw WHERE ce_source = '/valid'") == valid)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw") == valid)
        }
    }
}
