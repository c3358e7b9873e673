import Foundation
import PacerCore
import Testing

@testable import EventModel

private func decode(_ headers: [(String, String)], _ body: String) throws(CloudEventError) -> (mode: CloudEventHTTPBinding.Mode, events: [CloudEvent]) {
    try CloudEventHTTPBinding.decode(headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
}

private func error(_ headers: [(String, String)], _ body: String) -> CloudEventError? {
    do {
        _ = try decode(headers, body)
        return nil
    } catch {
        return error
    }
}

private let binaryHeaders = [("ce-id", "1"), ("ce-source", "/demo"), ("ce-specversion", "1.0"), ("ce-type", "demo.created")]
private let structured = [("Content-Type", "application/cloudevents+json; charset=UTF-8")]

@Suite("CloudEvents HTTP binding: modes")
struct BindingModeTests {
    @Test func binaryModeMapsHeadersAndBody() throws {
        let (mode, events) = try decode(
            binaryHeaders + [("Content-Type", "application/json; charset=utf-8"), ("CE-Subject", "default/web"), ("ce-time", "2024-05-01T10:00:00Z"), ("ce-team", "payments")],
            #"{"a":1}"#)
        #expect(mode == .binary)
        let event = try #require(events.first)
        #expect(event.id == "1")
        #expect(event.source == "/demo")
        #expect(event.type == "demo.created")
        #expect(event.subject == "default/web")
        #expect(event.datacontenttype == "application/json; charset=utf-8")
        #expect(event.extensions == ["team": "payments"])
        #expect(event.data == .json(["a": 1]))
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_714_557_600))
    }

    @Test func binaryModeKeepsNonJSONDataAsBytes() throws {
        let event = try #require(try decode(binaryHeaders + [("Content-Type", "text/plain")], "Hello, World!").events.first)
        #expect(event.data == .binary(Array("Hello, World!".utf8)))
        #expect(event.jsonFormat["data_base64"] == .string(Data("Hello, World!".utf8).base64EncodedString()))
    }

    @Test func binaryModeWithoutBodyHasNoData() throws {
        let event = try #require(try decode(binaryHeaders, "").events.first)
        #expect(event.data == nil)
    }

    @Test func headerValuesArePercentDecoded() throws {
        let event = try #require(try decode(binaryHeaders + [("ce-comment", "Euro%20%E2%82%AC%20%F0%9F%98%80"), ("ce-lower", "a%2fb")], "").events.first)
        #expect(event.extensions["comment"] == "Euro € 😀")
        #expect(event.extensions["lower"] == "a/b")
    }

    @Test func quotedHeaderValuesAreUnquotedFirst() throws {
        let event = try #require(try decode(binaryHeaders + [("ce-note", #""say \"hi\"""#), ("ce-raw", #"{"othervalue": 5}"#)], "").events.first)
        #expect(event.extensions["note"] == #"say "hi""#)
        #expect(event.extensions["raw"] == #"{"othervalue": 5}"#)
    }

    @Test func invalidUTF8AfterPercentDecodingIsRefused() {
        let failure = error(binaryHeaders + [("ce-bad", "%C0%A0")], "")
        #expect(failure?.attribute == "ce-bad")
        #expect(failure?.reason == "percent-decoded value is not valid UTF-8")
    }

    @Test func structuredModeReadsTheJSONEvent() throws {
        let body = #"{"specversion":"1.0","id":"42","source":"https://github.com/acme/web","type":"com.github.push","subject":"main","time":"2024-05-01T10:00:00.123+02:00","comexampleextension1":"value","count":5,"flag":true,"data":{"commits":[1,2]}}"#
        let (mode, events) = try decode(structured + [("ce-id", "ignored")], body)
        #expect(mode == .structured)
        let event = try #require(events.first)
        #expect(event.id == "42")
        #expect(event.extensions == ["comexampleextension1": "value", "count": 5, "flag": true])
        #expect(event.data == .json(["commits": [1, 2]]))
        #expect(event.datacontenttype == nil)
    }

    @Test func structuredModeReadsDataBase64() throws {
        let body = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/octet-stream","data_base64":"AAEC"}"#
        let event = try #require(try decode(structured, body).events.first)
        #expect(event.data == .binary([0, 1, 2]))
    }

    @Test func batchedModeReadsEveryEvent() throws {
        let body = #"[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","id":"2","source":"/s","type":"t"}]"#
        let (mode, events) = try decode([("Content-Type", "application/cloudevents-batch+json")], body)
        #expect(mode == .batched)
        #expect(events.map(\.id) == ["1", "2"])
    }

    @Test func anEmptyBatchIsValid() throws {
        #expect(try decode([("Content-Type", "application/cloudevents-batch+json")], "[]").events.isEmpty)
    }

    @Test func modeDetectionIsCaseInsensitive() throws {
        let body = #"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#
        #expect(try decode([("content-type", "Application/CloudEvents+JSON")], body).mode == .structured)
    }

    @Test func jsonFormatRoundTrips() throws {
        let body = #"{"specversion":"1.0","id":"42","source":"/s","type":"t","subject":"x","time":"2024-05-01T10:00:00Z","dataschema":"https://example.com/s.json","ext":"v","data":{"a":[1,2.5,"x",null,true]}}"#
        let event = try #require(try decode(structured, body).events.first)
        #expect(try CloudEvent(jsonFormat: event.jsonFormat) == event)
        #expect(event.jsonFormat == (try JSONValue.parse(body)))
    }
}

@Suite("CloudEvents validation: every rule with its message")
struct ValidationTests {
    private func structuredError(_ json: String) -> CloudEventError? { error(structured, json) }

    @Test(arguments: [
        (#"{"id":"1","source":"/s","type":"t"}"#, "specversion", "required attribute is missing"),
        (#"{"specversion":"1.0","source":"/s","type":"t"}"#, "id", "required attribute is missing"),
        (#"{"specversion":"1.0","id":"1","type":"t"}"#, "source", "required attribute is missing"),
        (#"{"specversion":"1.0","id":"1","source":"/s"}"#, "type", "required attribute is missing"),
        (#"{"specversion":"0.3","id":"1","source":"/s","type":"t"}"#, "specversion", #"unsupported value "0.3": Pacer accepts CloudEvents "1.0""#),
        (#"{"specversion":"1.0","id":"","source":"/s","type":"t"}"#, "id", "must not be empty"),
        (#"{"specversion":"1.0","id":"1","source":"","type":"t"}"#, "source", "must not be empty"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":""}"#, "type", "must not be empty"),
        (#"{"specversion":"1.0","id":1,"source":"/s","type":"t"}"#, "id", "must be a string, got integer"),
        (#"{"specversion":"1.0","id":"1","source":"a b","type":"t"}"#, "source", #"must be a URI-reference (RFC 3986), got "a b""#),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-05-01 10:00"}"#, "time", #"must be an RFC 3339 timestamp such as 2024-05-01T10:00:00Z, got "2024-05-01 10:00""#),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2023-02-30T10:00:00Z"}"#, "time", #"must be an RFC 3339 timestamp such as 2024-05-01T10:00:00Z, got "2023-02-30T10:00:00Z""#),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":"/relative"}"#, "dataschema", #"must be an absolute URI, got "/relative""#),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":""}"#, "subject", "must not be empty"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"json"}"#, "datacontenttype", #"must be a media type (RFC 9110: type "/" subtype *(";" parameter)) such as application/json; charset=utf-8, got "json""#),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","Team":"x"}"#, "Team", "attribute names must be lower-case ASCII letters and digits only (a-z, 0-9)"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","my_ext":"x"}"#, "my_ext", "attribute names must be lower-case ASCII letters and digits only (a-z, 0-9)"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}"#, "ext", "extension values must be a string, integer or boolean, got object"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":3000000000}"#, "ext", "integer extension out of the CloudEvents Integer range (32-bit)"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{},"data_base64":"AA=="}"#, "data_base64", "an event carries either data or data_base64, not both"),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"!!"}"#, "data_base64", "must be a Base64 (RFC 4648) string"),
        (#"{"specversion":"1.0","id":"a\u0001","source":"/s","type":"t"}"#, "id", "contains a control character (U+1)"),
    ])
    func refusesWithAttributeAndReason(body: String, attribute: String, reason: String) throws {
        let failure = try #require(structuredError(body))
        #expect(failure.kind == .invalid)
        #expect(failure.attribute == attribute)
        #expect(failure.reason == reason)
    }

    @Test func nullOptionalAttributesCountAsAbsent() throws {
        let event = try #require(try decode(structured, #"{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":null}"#).events.first)
        #expect(event.subject == nil)
    }

    @Test func schemelessSourcesAreURIReferences() throws {
        for source in ["//github.com/cloudevents/x", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "1-555-123-4567", "/sensors/tn-1234567/alerts"] {
            let event = try #require(try decode(structured, #"{"specversion":"1.0","id":"1","source":"\#(source)","type":"t"}"#).events.first)
            #expect(event.source == source)
        }
    }

    @Test func notJSONIsMalformed() {
        let failure = structuredError("{nope")
        #expect(failure?.kind == .malformed)
        #expect(failure?.description == "the body is not valid JSON")
    }

    @Test func aJSONArrayInStructuredModeIsMalformed() {
        #expect(structuredError("[]")?.description == "a CloudEvent in the JSON format must be a JSON object, got array")
    }

    @Test func aBatchNamesThePositionOfTheBadEvent() throws {
        let body = #"[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","source":"/s","type":"t"}]"#
        let failure = try #require(error([("Content-Type", "application/cloudevents-batch+json")], body))
        #expect(failure.index == 1)
        #expect(failure.attribute == "id")
        #expect(failure.description == "event [1]: id: required attribute is missing")
    }

    @Test func aBatchMustBeAnArray() {
        #expect(error([("Content-Type", "application/cloudevents-batch+json")], "{}")?.description == "a batch must be a JSON array of CloudEvents")
    }

    @Test func binaryModeNamesTheMissingHeader() {
        let failure = error([("ce-id", "1"), ("ce-specversion", "1.0"), ("ce-type", "t")], "")
        #expect(failure?.attribute == "ce-source")
        #expect(failure?.reason == "required header is missing")
    }

    @Test func binaryModeRefusesCeDatacontenttype() {
        let failure = error(binaryHeaders + [("ce-datacontenttype", "application/json")], "")
        #expect(failure?.attribute == "ce-datacontenttype")
    }

    @Test func binaryModeRefusesBadJSONBodyForJSONContentType() {
        let failure = error(binaryHeaders + [("Content-Type", "application/json")], "{")
        #expect(failure?.attribute == "data")
        #expect(failure?.kind == .malformed)
    }

    @Test func binaryModeValidatesAttributesUnderTheirHeaderNames() {
        #expect(error(binaryHeaders + [("ce-time", "yesterday")], "")?.attribute == "ce-time")
        #expect(error(binaryHeaders + [("ce-my_ext", "x")], "")?.attribute == "ce-my_ext")
    }

    @Test func unsupportedFormatsAre415() {
        #expect(error([("Content-Type", "application/cloudevents+xml")], "<e/>")?.kind == .unsupportedMediaType)
        #expect(error([("Content-Type", "application/cloudevents-batch+avro")], "x")?.kind == .unsupportedMediaType)
        let plain = error([("Content-Type", "text/plain")], "hello")
        #expect(plain?.kind == .unsupportedMediaType)
        #expect(plain?.reason.hasPrefix("not a CloudEvent") == true)
    }
}

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test func parsesOffsetsAndFractions() {
        #expect(RFC3339.parse("2024-05-01T12:00:00+02:00") == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(RFC3339.parse("2024-05-01T10:00:00.5Z") == Date(timeIntervalSince1970: 1_714_557_600.5))
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        #expect(RFC3339.parse("2023-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2024-05-01T10:00:00") == nil)
        #expect(RFC3339.parse("2024-05-01") == nil)
    }

    @Test func formatsInUTC() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_714_557_600.25), fractionalDigits: 6) == "2024-05-01T10:00:00.250000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0), fractionalDigits: 0) == "1970-01-01T00:00:00Z")
    }
}
