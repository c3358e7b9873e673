import Foundation
import PacerCore
import Testing

@testable import EventModel

private func decode(_ headers: [(String, String)], _ body: String) throws(CloudEventError) -> [CloudEvent] {
    try CloudEventHTTPBinding.decode(headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)).events
}

private func failure(_ headers: [(String, String)], _ body: String) -> CloudEventError? {
    do {
        _ = try decode(headers, body)
        return nil
    } catch {
        return error
    }
}

private let binary = [("ce-id", "1"), ("ce-source", "/demo"), ("ce-specversion", "1.0"), ("ce-type", "demo.created")]
private let structured = [("Content-Type", "application/cloudevents+json")]
private let batched = [("Content-Type", "application/cloudevents-batch+json")]

@Suite("Strict CloudEvents input: headers, media types, URI-references, null data, duplicate attributes")
struct StrictInputTests {
    /// (extra header, value, expected attribute, expected reason fragment): each refused with 400 (`.invalid`).
    @Test(arguments: [
        ("ce-comment", "caf\u{E9}", "ce-comment", "contains U+00E9, which is not printable ASCII: percent-encode it"),
        ("ce-comment", "bad\u{FFFD}byte", "ce-comment", "contains a byte that is not valid UTF-8 (read as U+FFFD)"),
        ("ce-comment", "tab\there", "ce-comment", "contains U+0009, which is not printable ASCII"),
        ("ce-comment", "bell\u{7}", "ce-comment", "contains U+0007"),
        ("ce-comment", "del\u{7F}", "ce-comment", "contains U+007F"),
        ("ce-comment", "a%00b", "ce-comment", "percent-decoded value contains the control character U+0000"),
        ("ce-comment", "a%0Ab", "ce-comment", "percent-decoded value contains the control character U+000A"),
        ("ce-comment", "a%C2%85b", "ce-comment", "percent-decoded value contains the control character U+0085"),
        ("ce-comment", "%C0%A0", "ce-comment", "percent-decoded value is not valid UTF-8"),
        ("ce-id", "%FF", "ce-id", "percent-decoded value is not valid UTF-8"),
        ("ce-source", "/a%20b%00", "ce-source", "control character U+0000"),
        ("Content-Type", "application/", "Content-Type", "must be a media type"),
        ("Content-Type", "text/plain; charset", "Content-Type", "must be a media type"),
    ])
    func binaryHeaderRefused(header: String, value: String, attribute: String, reason: String) throws {
        var headers = binary.filter { $0.0 != header }
        headers.append((header, value))
        let error = try #require(failure(headers, ""), "accepted \(header): \(value)")
        #expect(error.kind == .invalid)
        #expect(error.attribute == attribute)
        #expect(error.reason.contains(reason), "\(error.reason)")
    }

    @Test func binaryHeadersThatFollowTheBindingAreAccepted() throws {
        let headers = binary + [("ce-comment", "Euro%20%E2%82%AC%20%F0%9F%98%80"), ("ce-raw", #"{"othervalue": 5}"#), ("ce-quoted", #""a b""#)]
        let event = try #require(try decode(headers, "").first)
        #expect(event.extensions["comment"] == "Euro € 😀")
        #expect(event.extensions["raw"] == #"{"othervalue": 5}"#)
        #expect(event.extensions["quoted"] == "a b")
    }

    /// (datacontenttype, accepted?) by the RFC 9110 grammar.
    @Test(arguments: [
        ("application/json", true),
        ("application/cloudevents+json; charset=UTF-8", true),
        ("text/plain;charset=us-ascii", true),
        ("text/plain ; charset=\"utf-8\"", true),
        ("multipart/form-data; boundary=\"a b\\\"c\"", true),
        ("application/vnd.api+json;", true),
        ("application/", false),
        ("/json", false),
        ("application", false),
        ("application/json charset=utf-8", false),
        ("application/json; charset", false),
        ("application/json; charset=", false),
        ("application/json; charset=\"utf-8", false),
        ("appl ication/json", false),
        ("application/json ", false),
        ("application/j\u{E9}son", false),
        ("application/json; a=b=c", false),
    ])
    func datacontenttypeGrammar(value: String, accepted: Bool) {
        let body = JSONValue.object([
            "specversion": "1.0", "id": "1", "source": "/s", "type": "t", "datacontenttype": .string(value),
        ]).jsonString()
        let error = failure(structured, body)
        if accepted {
            #expect(error == nil, "\(value): \(error?.description ?? "")")
        } else {
            #expect(error?.attribute == "datacontenttype", "\(value)")
            #expect(error?.kind == .invalid)
        }
    }

    /// (source, accepted?) by the RFC 3986 URI-reference grammar.
    @Test(arguments: [
        ("https://github.com/cloudevents", true),
        ("mailto:cncf-wg-serverless@lists.cncf.io", true),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", true),
        ("/cloudevents/spec/pull/123", true),
        ("1-555-123-4567", true),
        ("//github.com/cloudevents/conformance/yaml/v1.yaml", true),
        ("http://[::1]:8080/x?q=1#f", true),
        ("/a%20b", true),
        ("a b", false),
        ("/a%2", false),
        ("/a%zz", false),
        ("http://host:port/", false),
        ("a:b/c:d", true),
        ("1a:b", false),
        ("/x#a#b", false),
        ("/x[1]", false),
        ("http://[::1/x", false),
        ("/caf\u{E9}", false),
    ])
    func sourceGrammar(source: String, accepted: Bool) {
        let body = JSONValue.object(["specversion": "1.0", "id": "1", "source": .string(source), "type": "t"]).jsonString()
        let error = failure(structured, body)
        if accepted {
            #expect(error == nil, "\(source): \(error?.description ?? "")")
        } else {
            #expect(error?.attribute == "source", "\(source)")
            #expect(error?.reason == "must be a URI-reference (RFC 3986), got \"\(source)\"")
        }
    }

    @Test func explicitNullDataIsKeptAndRoundTrips() throws {
        let body = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":null,"data":null}"#
        let event = try #require(try decode(structured, body).first)
        #expect(event.data == .json(.null))
        #expect(event.subject == nil)
        #expect(event.jsonFormat == (try JSONValue.parse(#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":null}"#)))
        #expect(event.jsonFormat.jsonString().contains(#""data":null"#))
        #expect(try CloudEvent(jsonFormat: event.jsonFormat) == event)
        // An absent data stays absent.
        let absent = try #require(try decode(structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#).first)
        #expect(absent.data == nil)
        #expect(absent.jsonFormat["data"] == nil)
        // A null data_base64 is unset; null data with a Base64 payload is both.
        let base64Null = try #require(try decode(structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":null,"data_base64":null}"#).first)
        #expect(base64Null.data == .json(.null))
        let both = failure(structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":null,"data_base64":"AA=="}"#)
        #expect(both?.attribute == "data_base64")
    }

    /// (mode headers, body, expected attribute, expected index): a repeated attribute is a 400.
    @Test(arguments: [
        (structured, #"{"specversion":"1.0","id":"1","id":"2","source":"/s","type":"t"}"#, "id", Int?.none),
        (structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data":2}"#, "data", nil),
        (structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":"a","ext":"a"}"#, "ext", nil),
        (batched, #"[{"specversion":"1.0","id":"1","source":"/s","type":"t","type":"u"}]"#, "type", nil),
    ])
    func duplicateAttributesAreRefused(headers: [(String, String)], body: String, attribute: String, index: Int?) throws {
        let error = try #require(failure(headers, body))
        #expect(error.kind == .invalid)
        #expect(error.attribute == attribute)
        #expect(error.reason == "appears more than once in the event")
    }

    @Test func duplicateKeysInsideDataKeepTheLastValueAsBefore() throws {
        let event = try #require(try decode(structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":1,"a":2}}"#).first)
        #expect(event.data == .json(["a": 2]))
        let batch = try decode(batched, #"[{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":1,"a":2}}]"#)
        #expect(batch.first?.data == .json(["a": 2]))
    }

    @Test func theParserOptionIsOffByDefault() throws {
        #expect(try JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8)) == ["a": 2])
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8), options: JSONParseOptions(uniqueKeysDepth: 1)) }
        #expect(try JSONValue.parse(Array(#"{"b":{"a":1,"a":2}}"#.utf8), options: JSONParseOptions(uniqueKeysDepth: 1)) == ["b": ["a": 2]])
    }
}
