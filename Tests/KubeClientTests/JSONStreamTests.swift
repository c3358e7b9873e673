import AsyncHTTPClient
import Foundation
import KubeClient
import KubeCore
import NIOCore
import TestSupport
import Testing

@Suite("Watch stream splitting and decoding")
struct JSONStreamTests {
    static let stream = """
        {"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1","annotations":{"x":"}{\\"]["}},"value":1}}
        {"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"2"},"value":2}}{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"3"}}}
          {"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"4"},"value":4,"extra":[1,{"k":"\\\\"}]}}
        {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 1 (4)"}}
        """

    func split(_ chunks: [[UInt8]]) throws -> [String] {
        var splitter = JSONStreamSplitter()
        var values: [String] = []
        for chunk in chunks { values += try splitter.feed(chunk).map { String(decoding: $0, as: UTF8.self) } }
        try splitter.finish()
        return values
    }

    @Test func splitsIndependentlyOfChunkBoundaries() throws {
        let bytes = Array(Self.stream.utf8)
        let whole = try split([bytes])
        #expect(whole.count == 5)
        // Every single split point, and byte-at-a-time.
        for cut in 1..<bytes.count {
            #expect(try split([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole)
        }
        #expect(try split(bytes.map { [$0] }) == whole)
        // Random chunk sizes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var chunks: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 1...40, using: &generator)
                chunks.append(Array(bytes[index..<min(bytes.count, index + size)]))
                index += size
            }
            #expect(try split(chunks) == whole)
        }
    }

    @Test func boundsTheBuffer() {
        var splitter = JSONStreamSplitter(maximumValueBytes: 64)
        #expect(throws: JSONStreamSplitter.SplitError.valueTooLarge(limit: 64)) {
            _ = try splitter.feed(Array(("{\"k\":\"" + String(repeating: "x", count: 100)).utf8))
        }
    }

    @Test func rejectsGarbageAndTruncation() throws {
        var garbage = JSONStreamSplitter()
        #expect(throws: JSONStreamSplitter.SplitError.self) { _ = try garbage.feed(Array("{} nope".utf8)) }
        var truncated = JSONStreamSplitter()
        _ = try truncated.feed(Array("{\"a\":[1,2".utf8))
        #expect(throws: JSONStreamSplitter.SplitError.unbalanced) { try truncated.finish() }
    }

    @Test func watchStreamDecodesEventsFromAdversarialChunks() async throws {
        let bytes = Array(Self.stream.utf8)
        var chunks: [ByteBuffer] = []
        var index = 0
        var size = 1
        while index < bytes.count {
            chunks.append(ByteBuffer(bytes: bytes[index..<min(bytes.count, index + size)]))
            index += size
            size = size % 7 + 1
        }
        let (body, continuation) = AsyncStream<ByteBuffer>.makeStream()
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        let stream = WatchStream<Item>(body: .stream(body))
        var types: [String] = []
        var versions: [String] = []
        for try await event in stream {
            types.append(event.typeName)
            switch event {
            case .added(let item), .modified(let item), .deleted(let item): versions.append(item.metadata.resourceVersion ?? "")
            case .bookmark(let bookmark): versions.append(bookmark.resourceVersion)
            case .error(let status):
                #expect(status.isGone)
                #expect(status.code == 410)
            }
        }
        #expect(types == ["ADDED", "MODIFIED", "BOOKMARK", "DELETED", "ERROR"])
        #expect(versions == ["1", "2", "3", "4"])
    }

    @Test func watchStreamReportsMalformedEvent() async throws {
        let stream = WatchStream<Item>(body: .bytes(ByteBuffer(string: "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":5}}}")))
        await #expect(throws: KubeClientError.self) {
            for try await _ in stream {}
        }
    }
}
