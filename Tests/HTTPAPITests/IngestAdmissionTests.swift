import HTTPAPI
import HTTPTypes
import Testing

/// `IngestAdmission` alone: the token bucket per sender and the in-flight bound. The rate is so low
/// (one event per 1,000 s) that the refill during a test is far below one event, so the counts are exact; a wait is
/// exact but for that refill (0.001 event per second the test takes), hence the ranges.
@Suite("Ingest admission: per-sender rate and in-flight bound (issue 16)")
struct IngestAdmissionTests {
    static let slow = IngestLimits(eventsPerSecond: 0.001, burst: 5, maxInFlightBytes: 100)

    /// The Retry-After of a 429, checked to be `seconds` less at most 100 s of refill.
    func waits(_ answer: (Int, String?)?, _ seconds: Int) -> Bool {
        guard let answer, answer.0 == 429, let wait = answer.1.flatMap(Int.init) else { return false }
        return (seconds - 100...seconds).contains(wait)
    }

    func status(_ body: () throws -> Void) -> (Int, String?)? {
        do {
            try body()
            return nil
        } catch let error as APIError {
            return (error.status.code, error.headers[.retryAfter])
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func aSenderOverItsBucketGets429WithTheWaitAndOthersAreUntouched() {
        let admission = IngestAdmission(limits: Self.slow)
        // Bucket of 5: 3 events leave 2.
        #expect(status { try admission.charge(["a": 3]) } == nil)
        // 3 more need 1 token that is not there: at 0.001 events/s that is 1,000 s.
        let refused = status { try admission.charge(["a": 3]) }
        #expect(waits(refused, 1_000), "\(String(describing: refused))")
        // Nothing was taken by the refusal: 2 events still fit.
        #expect(status { try admission.charge(["a": 2]) } == nil)
        // Another sender has its own full bucket.
        #expect(status { try admission.charge(["b": 5]) } == nil)
    }

    @Test func aRequestLargerThanTheBurstIsAdmittedFromAFullBucketAndLeavesDebt() {
        let admission = IngestAdmission(limits: Self.slow)
        // 12 events from a full bucket of 5: admitted, the bucket owes 7 (5 − 12 = −7).
        #expect(status { try admission.charge(["a": 12]) } == nil)
        // One more event needs 8 tokens to come in (from −7 to 1): 8,000 s.
        #expect(waits(status { try admission.charge(["a": 1]) }, 8_000))
    }

    @Test func aRequestOfSeveralSendersIsChargedAllOrNothing() {
        let admission = IngestAdmission(limits: Self.slow)
        #expect(status { try admission.charge(["b": 5]) } == nil)  // b's bucket is empty now
        // a could pay, b cannot (1 token short: 1,000 s): the whole request is refused and a keeps its 5.
        #expect(waits(status { try admission.charge(["a": 4, "b": 1]) }, 1_000))
        #expect(status { try admission.charge(["a": 5]) } == nil)
    }

    @Test func noRateMeansNoLimit() {
        let admission = IngestAdmission(limits: IngestLimits(eventsPerSecond: nil, burst: 1, maxInFlightBytes: 100))
        for _ in 0..<100 { #expect(status { try admission.charge(["a": 1_000]) } == nil) }
    }

    @Test func inFlightBytesAreBoundedAndGivenBack() throws {
        let admission = IngestAdmission(limits: Self.slow)
        let first = try admission.reserve(bytes: 60)
        // 60 + 50 > 100.
        let refused = status { _ = try admission.reserve(bytes: 50) }
        #expect(refused?.0 == 429)
        #expect(refused?.1 == "1")
        let second = try admission.reserve(bytes: 40)  // 60 + 40 = 100 fits exactly
        #expect(admission.inFlightBytes == 100)
        first.release()
        first.release()  // a second release gives nothing back twice
        #expect(admission.inFlightBytes == 40)
        second.release()
        #expect(admission.inFlightBytes == 0)
        // Larger than the whole bound: admitted when nothing else is in flight, so it is never starved.
        let large = try admission.reserve(bytes: 500)
        #expect(status { _ = try admission.reserve(bytes: 1) }?.0 == 429)
        large.release()
        #expect(admission.inFlightBytes == 0)
    }

    @Test func forgottenSendersStartFull() {
        let admission = IngestAdmission(limits: IngestLimits(eventsPerSecond: 0.001, burst: 2, maxInFlightBytes: 100, maxSenders: 2))
        #expect(status { try admission.charge(["a": 2]) } == nil)  // a: empty
        #expect(status { try admission.charge(["b": 1]) } == nil)
        #expect(status { try admission.charge(["c": 1]) } == nil)  // the map is full: a, idlest, is forgotten
        #expect(status { try admission.charge(["a": 2]) } == nil)  // a starts full again
    }
}
