import Foundation
import Testing

@testable import Expressions

@Suite("Timestamps and durations")
struct TimeTests {
    @Test("lead time: timestamp − timestamp is a duration that compares with durations")
    func leadTime() throws {
        let activation = try cloudEvent()
        #expect(try eval("timestamp(data.deployed) - timestamp(data.committed) < duration('24h')", activation) == .bool(true))
        #expect(try eval("timestamp(data.deployed) - timestamp(data.committed) == duration('12h30m')", activation) == .bool(true))
        #expect(try eval("timestamp(data.deployed) - timestamp(data.committed) > duration('12h')", activation) == .bool(true))
        let lead = try eval("timestamp(data.deployed) - timestamp(data.committed)", activation)
        #expect(lead == .duration(try #require(CELDuration(seconds: 45_000))))
    }

    @Test("timestamp ± duration, duration ± duration")
    func arithmetic() throws {
        let activation = try cloudEvent()
        #expect(try eval("time + duration('1h') == timestamp('2024-05-01T13:00:00Z')", activation) == .bool(true))
        #expect(try eval("duration('30m') + time == timestamp('2024-05-01T12:30:00Z')", activation) == .bool(true))
        #expect(try eval("time - duration('90m') == timestamp('2024-05-01T10:30:00Z')", activation) == .bool(true))
        #expect(try eval("duration('1h') + duration('30m') == duration('90m')") == .bool(true))
        #expect(try eval("duration('1h') - duration('2h') == duration('-1h')") == .bool(true))
        #expect(try eval("time > timestamp('2024-01-01T00:00:00Z') && time <= time", activation) == .bool(true))
    }

    @Test("RFC 3339 parsing keeps offsets and nanoseconds")
    func parsing() throws {
        #expect(try eval("timestamp('2024-05-01T12:00:00+02:00') == timestamp('2024-05-01T10:00:00Z')") == .bool(true))
        #expect(try eval("timestamp('2024-05-01T10:00:00.123456789Z') - timestamp('2024-05-01T10:00:00Z') == duration('123456789ns')")
            == .bool(true))
        #expect(try eval("timestamp(0) == timestamp('1970-01-01T00:00:00Z')") == .bool(true))
        #expect(CELTimestamp.parse("2024-02-30T00:00:00Z") == nil)
        #expect(CELTimestamp.parse("2024-05-01") == nil)
        #expect(CELTimestamp.parse("2024-05-01T10:00:00") == nil)
        #expect(CELTimestamp.parse("2024-05-01T10:00:60Z") == nil)
        #expect(CELTimestamp.parse("0001-01-01T00:00:00Z") != nil)
    }

    @Test("duration strings: units, fractions, signs, compound forms")
    func durationParsing() throws {
        func seconds(_ text: String) -> Double? { CELDuration.parse(text)?.timeInterval }
        #expect(seconds("1h30m") == 5400)
        #expect(seconds("90s") == 90)
        #expect(seconds("1.5h") == 5400)
        #expect(seconds("300ms") == 0.3)
        #expect(seconds("-1.5s") == -1.5)
        #expect(seconds("+2m") == 120)
        #expect(seconds("0") == 0)
        #expect(CELDuration.parse("1h2m3s4ms5us6ns")?.nanoseconds == 3_723_004_005_006)
        #expect(CELDuration.parse("2µs")?.nanoseconds == 2000)
        for bad in ["", "1", "1x", "h", "-", "1h-2m", "1e3s", "99999999999999999999h"] {
            #expect(CELDuration.parse(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test("CEL string forms of timestamps and durations")
    func formatting() throws {
        #expect(try eval("string(duration('-1.5s'))") == .string("-1.5s"))
        #expect(try eval("string(duration('1ms'))") == .string("0.001s"))
        #expect(try eval("string(timestamp('2024-05-01T12:00:00+02:00'))") == .string("2024-05-01T10:00:00Z"))
        #expect(try eval("string(timestamp('2024-05-01T10:00:00.000001Z'))") == .string("2024-05-01T10:00:00.000001Z"))
    }

    @Test("timestamp accessors in UTC and in a given zone")
    func timestampAccessors() throws {
        let t = "timestamp('2024-05-01T10:20:30.456Z')"
        #expect(try eval("\(t).getFullYear()") == .int(2024))
        #expect(try eval("\(t).getMonth()") == .int(4))
        #expect(try eval("\(t).getDate()") == .int(1))
        #expect(try eval("\(t).getDayOfMonth()") == .int(0))
        #expect(try eval("\(t).getDayOfWeek()") == .int(3))  // a Wednesday
        #expect(try eval("\(t).getDayOfYear()") == .int(121))
        #expect(try eval("\(t).getHours()") == .int(10))
        #expect(try eval("\(t).getMinutes()") == .int(20))
        #expect(try eval("\(t).getSeconds()") == .int(30))
        #expect(try eval("\(t).getMilliseconds()") == .int(456))
        #expect(try eval("\(t).getHours('+02:00')") == .int(12))
        #expect(try eval("\(t).getHours('-10:30')") == .int(23))
        #expect(try eval("\(t).getDate('-10:30')") == .int(30))
        #expect(try eval("\(t).getHours('UTC')") == .int(10))
        #expect(try eval("\(t).getHours('America/New_York')") == .int(6))  // EDT, UTC-4
        #expect(try evaluationError("\(t).getHours('Mars/Olympus')")?.message == "unknown time zone \"Mars/Olympus\"")
    }

    @Test("duration accessors return the whole duration in the unit")
    func durationAccessors() throws {
        #expect(try eval("duration('90m').getHours()") == .int(1))
        #expect(try eval("duration('90m').getMinutes()") == .int(90))
        #expect(try eval("duration('1.5s').getSeconds()") == .int(1))
        #expect(try eval("duration('1.5s').getMilliseconds()") == .int(1500))
    }

    @Test("results outside CEL's ranges are errors")
    func ranges() throws {
        #expect(try evaluationError("timestamp('9999-12-31T23:59:59Z') + duration('1s')")?.message == "timestamp out of range")
        #expect(try evaluationError("duration('80000000h') + duration('80000000h')")?.message == "duration out of range")
        #expect(compileError("duration('2562047h') * 2")?.code == .typeMismatch)
    }

    @Test("CELTimestamp converts to and from Date")
    func dates() throws {
        let t = try #require(CELTimestamp.parse("2024-05-01T10:00:00.5Z"))
        #expect(t.date.timeIntervalSince1970 == 1_714_557_600.5)
        #expect(CELTimestamp(t.date) == t)
        #expect(t.secondsSinceEpoch == 1_714_557_600)
        #expect(t.nanos == 500_000_000)
    }
}
