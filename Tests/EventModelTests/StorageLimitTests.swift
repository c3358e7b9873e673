import Foundation
import PacerCore
import Testing

@testable import EventModel

/// Decodes one structured-mode body; the error when it is refused.
private func structuredError(_ body: String) -> CloudEventError? {
    do {
        _ = try CloudEventHTTPBinding.decode(headers: [(name: "Content-Type", value: "application/cloudevents+json")], body: Array(body.utf8))
        return nil
    } catch {
        return error
    }
}

private func binaryError(_ extra: [(String, String)], body: String = "") -> CloudEventError? {
    var headers = [("ce-id", "1"), ("ce-source", "/demo"), ("ce-specversion", "1.0"), ("ce-type", "demo.created")]
    for (name, value) in extra {
        headers.removeAll { $0.0 == name }
        headers.append((name, value))
    }
    do {
        _ = try CloudEventHTTPBinding.decode(headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
        return nil
    } catch {
        return error
    }
}

private let kb1 = String(repeating: "a", count: 1024)
private let kb1Plus = String(repeating: "a", count: 1025)
/// 342 three-byte characters: 1026 bytes although only 342 characters.
private let euros = String(repeating: "€", count: 342)

@Suite("Storage limits: what PostgreSQL would refuse is refused with 400 before the commit")
struct StorageLimitTests {
    /// (structured body, expected attribute, expected reason fragment); every one is a 400 (`.invalid`).
    @Test(arguments: [
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"x":"a\u0000b"}}"#, "data", "data.x contains U+0000"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":[1,{"k":["\u0000"]}]}"#, "data", "data[1].k[0] contains U+0000"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a\u0000":1}}"#, "data", "data.a\u{0} contains U+0000"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":"\u0000"}"#, "data", "data contains U+0000"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/json","data_base64":"eyJ4IjoiXHUwMDAwIn0="}"#, "data", "data.x contains U+0000"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","comexample":"a\u0000"}"#, "comexample", "control character (U+0)"),
        (#"{"specversion":"1.0","id":"a\u0000","source":"/s","type":"t"}"#, "id", "control character (U+0)"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"0000-01-01T00:00:00Z"}"#, "time", "before 0001-01-01T00:00:00Z"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"0001-01-01T00:30:00+01:00"}"#, "time", "before 0001-01-01T00:00:00Z"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"0000-12-31T23:59:59.999Z"}"#, "time", "PostgreSQL has no year 0"),
        (#"{"specversion":"1.0","id":"\#(kb1Plus)","source":"/s","type":"t"}"#, "id", "is 1025 bytes long; Pacer stores at most 1024 bytes"),
        (#"{"specversion":"1.0","id":"1","source":"/\#(kb1)","type":"t"}"#, "source", "is 1025 bytes long"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"\#(kb1Plus)"}"#, "type", "is 1025 bytes long"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"\#(euros)"}"#, "subject", "is 1026 bytes long"),
    ])
    func refusedStructured(body: String, attribute: String, reason: String) throws {
        let error = try #require(structuredError(body), "accepted: \(body.prefix(120))")
        #expect(error.kind == .invalid)
        #expect(error.attribute == attribute)
        #expect(error.reason.contains(reason), "\(error.reason)")
    }

    /// The limits themselves are accepted.
    @Test(arguments: [
        #"{"specversion":"1.0","id":"\#(kb1)","source":"/\#(String(kb1.dropFirst()))","type":"\#(kb1)","subject":"\#(kb1)"}"#,
        #"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"0001-01-01T00:00:00Z"}"#,
        #"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"0001-01-01T01:00:00+01:00"}"#,
        #"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"9999-12-31T23:59:59.999999-23:59"}"#,
        #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"x":"a\\u0000b"}}"#,
        #"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/octet-stream","data_base64":"AAAA"}"#,
    ])
    func acceptedStructured(body: String) {
        #expect(structuredError(body) == nil)
    }

    @Test func binaryModeRefusesAYearZeroTimeAndALongIDNamingTheHeader() throws {
        let time = try #require(binaryError([("ce-time", "0000-06-01T00:00:00Z")]))
        #expect(time.attribute == "ce-time")
        #expect(time.reason.contains("before 0001-01-01T00:00:00Z"))
        let id = try #require(binaryError([("ce-id", String(repeating: "x", count: 10_240))]))
        #expect(id.attribute == "ce-id")
        #expect(id.reason == "is 10240 bytes long; Pacer stores at most 1024 bytes (UTF-8) for it")
    }

    @Test func binaryModeRefusesNULInAJSONBody() throws {
        let error = try #require(binaryError([("Content-Type", "application/json")], body: #"{"a":["\u0000"]}"#))
        #expect(error.attribute == "data")
        #expect(error.reason.contains("data.a[0] contains U+0000"))
        #expect(binaryError([("Content-Type", "application/octet-stream")], body: #"{"a":["\u0000"]}"#) == nil)
    }

    /// CDEvents: (path set in the service.deployed example, value, expected error text).
    @Test(arguments: [
        (["context", "id"], JSONValue.string(kb1Plus), "context.id: is 1025 bytes long; Pacer stores at most 1024 bytes (UTF-8) for it"),
        (["context", "source"], .string("/" + kb1), "context.source: is 1025 bytes long; Pacer stores at most 1024 bytes (UTF-8) for it"),
        (["subject", "id"], .string(euros), "subject.id: is 1026 bytes long; Pacer stores at most 1024 bytes (UTF-8) for it"),
        (["subject", "source"], .string("/" + kb1), "subject.source: is 1025 bytes long; Pacer stores at most 1024 bytes (UTF-8) for it"),
        (["context", "timestamp"], .string("0000-03-01T00:00:00Z"),
         "context.timestamp: \"0000-03-01T00:00:00Z\" is before 0001-01-01T00:00:00Z, the earliest time Pacer stores (PostgreSQL has no year 0)"),
        (["subject", "content", "artifactId"], .string("pkg:a\u{0}b"), "subject.content.artifactId: contains U+0000 (\\u0000), which PostgreSQL cannot store"),
        (["customData"], .object(["k": .string("\u{0}")]), "customData.k: contains U+0000 (\\u0000), which PostgreSQL cannot store"),
    ])
    func cdEventStorageLimits(path: [String], value: JSONValue, message: String) throws {
        let json = try CDEventFixtures.example("service_deployed.json").setting(path, to: value)
        let error = try #require(cdEventError(json))
        #expect(error.description == message)
        #expect(error.kind == .invalidValue)
    }
}
