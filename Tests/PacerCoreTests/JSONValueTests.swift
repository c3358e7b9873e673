import Foundation
import Testing

@testable import PacerCore

@Suite("JSONValue reading and writing")
struct JSONValueTests {
    @Test func readsEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], "b": {"c": "d"}, "big": 92233720368547758070} "#)
        #expect(value["a"] == [1, -2, 3.5, 1000.0, -0.0025, true, false, nil])
        #expect(value["b"]?["c"] == "d")
        #expect(value["big"] == .double(92_233_720_368_547_758_070))
        #expect(try JSONValue.parse("7") == 7)
        #expect(try JSONValue.parse(#""x""#) == "x")
    }

    @Test func readsEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00 é""#)
        #expect(value == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é € 😀 é"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a string key"),
        (#"{"a" 1}"#, "expected ':'"),
        ("[1,]", "unexpected character"),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zeros are not allowed"),
        ("1.", "invalid number"),
        ("-", "invalid number"),
        ("tru", "unexpected end of input"),
        ("nul1", "unexpected character"),
        (#""abc"#, "unterminated string"),
        ("\"a\u{01}b\"", "unescaped control character in a string"),
        (#""\x""#, "invalid escape sequence"),
        (#""\ud83d""#, #"unpaired surrogate in a \u escape"#),
        (#""\u12G4""#, #"invalid hex digit in a \u escape"#),
        ("{} x", "unexpected data after the JSON value"),
        ("1e999", "number out of range"),
    ])
    func refusesInvalidJSONWithAReason(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.reason == reason, "\(text)")
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xC0, 0xA0, 0x22]) }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(fine)) != nil)
    }

    @Test func writesCompactSortedAndRoundTrips() throws {
        let value: JSONValue = ["b": [1, 2.5, "x\n\"y\"/\u{01}"], "a": nil, "c": ["z": true]]
        #expect(value.jsonString() == #"{"a":null,"b":[1,2.5,"x\n\"y\"/\u0001"],"c":{"z":true}}"#)
        #expect(try JSONValue.parse(value.jsonString()) == value)
        #expect(try JSONValue.parse(value.jsonString(pretty: true)) == value)
    }

    @Test func agreesWithFoundation() throws {
        let text = #"{"id":"1","n":[1,2,3],"s":"é😀","f":0.1,"nested":{"k":[{"a":null}]}}"#
        let ours = try JSONValue.parse(text)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
        let roundTripped = try JSONSerialization.jsonObject(with: ours.jsonData()) as? [String: Any]
        #expect(roundTripped?.count == 5)
    }
}
