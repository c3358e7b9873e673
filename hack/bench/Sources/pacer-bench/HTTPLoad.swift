import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Posts the benchmark events to Pacer's `POST /events` over keep-alive HTTP/1.1 connections, `concurrency`
/// requests in flight, in one of the three CloudEvents HTTP modes.
struct HTTPLoad {
    enum Mode: String, CaseIterable {
        case structured, batched, binary
    }

    let client: HTTPClient
    let url: String
    let events: BenchEvents
    let concurrency: Int
    let batchSize: Int

    func run(_ mode: Mode) async throws -> ModeResult {
        let perRequest = mode == .batched ? batchSize : 1
        let requests = (events.count + perRequest - 1) / perRequest
        let start = monotonicNanos()
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for worker in 0..<min(concurrency, requests) {
                group.addTask {
                    var samples: [UInt64] = []
                    samples.reserveCapacity(requests / concurrency + 1)
                    var number = worker
                    while number < requests {
                        let lower = number * perRequest
                        let request = makeRequest(mode, lower..<min(lower + perRequest, events.count))
                        let began = monotonicNanos()
                        let response = try await client.execute(request, timeout: .seconds(60))
                        let body = try await response.body.collect(upTo: 1 << 16)
                        samples.append(monotonicNanos() - began)
                        guard response.status == .accepted else {
                            throw BenchError("\(mode) request \(number): HTTP \(response.status.code) \(String(buffer: body))")
                        }
                        number += concurrency
                    }
                    return samples
                }
            }
            var all: [UInt64] = []
            for try await samples in group { all += samples }
            return all
        }
        let elapsed = monotonicNanos() - start
        let name: String
        switch mode {
        case .structured: name = "HTTP structured (1 event/request)"
        case .batched: name = "HTTP batched (\(batchSize) events/request)"
        case .binary: name = "HTTP binary (1 event/request)"
        }
        return ModeResult(name: name, events: events.count, requests: requests, elapsedNanos: elapsed, latencies: LatencySummary(latencies))
    }

    func makeRequest(_ mode: Mode, _ range: Range<Int>) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        switch mode {
        case .structured:
            request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
            request.body = .bytes(ByteBuffer(string: events.structured(range.lowerBound)))
        case .batched:
            request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
            request.body = .bytes(events.batch(range))
        case .binary:
            let index = range.lowerBound
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "ce-specversion", value: "1.0")
            request.headers.add(name: "ce-id", value: events.id(index))
            request.headers.add(name: "ce-source", value: events.source(index))
            request.headers.add(name: "ce-type", value: BenchEvents.type)
            request.headers.add(name: "ce-subject", value: events.subject(index))
            request.headers.add(name: "ce-time", value: events.time(index))
            request.body = .bytes(ByteBuffer(string: events.data(index)))
        }
        return request
    }
}
