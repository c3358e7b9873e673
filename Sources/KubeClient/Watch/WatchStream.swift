import AsyncHTTPClient
import Foundation
import KubeCore
import NIOCore
import NIOHTTP1
import PacerCore

/// The events of one watch call, parsed from the streamed response body as JSON values arrive
/// (independent of chunk boundaries). Ends (returns nil) when the server closes the stream, which
/// is normal after `timeoutSeconds`; resume from the last seen resourceVersion.
/// Throws ``KubeClientError`` for transport failures, an idle stream, or a malformed event.
/// Iterate once.
public struct WatchStream<Object: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>
    public typealias Failure = any Error

    let body: HTTPClientResponse.Body
    let maximumValueBytes: Int
    let request: String

    /// A stream over any body, e.g. `HTTPClientResponse.Body.stream(chunks)` in tests.
    public init(body: HTTPClientResponse.Body, maximumValueBytes: Int = 16 * 1024 * 1024, request: String = "watch") {
        self.body = body
        self.maximumValueBytes = maximumValueBytes
        self.request = request
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), splitter: JSONStreamSplitter(maximumValueBytes: maximumValueBytes), request: request)
    }

    /// Iterator: reads chunks, splits JSON values, decodes events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        var splitter: JSONStreamSplitter
        let request: String
        var pending: [WatchEvent<Object>] = []
        var pendingIndex = 0
        var finished = false
        let decoder = JSONDecoder()

        public mutating func next() async throws -> WatchEvent<Object>? {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                pending.removeAll(keepingCapacity: true)
                pendingIndex = 0
                if finished { return nil }
                let chunk: ByteBuffer?
                do {
                    chunk = try await body.next()
                } catch {
                    finished = true
                    throw KubeClient.transportError(error, request: request)
                }
                guard let chunk else {
                    finished = true
                    do {
                        try splitter.finish()
                    } catch {
                        throw KubeClientError(code: .transport, request: request, message: "watch stream ended inside a JSON value")
                    }
                    return nil
                }
                let values: [[UInt8]]
                do {
                    values = try splitter.feed(chunk.readableBytesView)
                } catch {
                    finished = true
                    let code: KubeClientError.Code = if case .valueTooLarge = error { .tooLarge } else { .decoding }
                    throw KubeClientError(code: code, request: request, message: error.description)
                }
                for value in values {
                    do {
                        pending.append(try KubeClient.decodeDocument(WatchEvent<Object>.self, from: value, decoder: decoder))
                    } catch {
                        finished = true
                        let snippet = String(decoding: value.prefix(200), as: UTF8.self)
                        throw KubeClientError(code: .decoding, request: request, message: "bad watch event (\(error)): \(snippet)")
                    }
                }
            }
        }
    }
}

extension KubeClient {
    /// Opens a watch on a collection path. A non-2xx answer throws the decoded API error.
    func watch<T: Decodable & Sendable>(_ type: T.Type, path: String, options: WatchOptions) async throws -> WatchStream<T> {
        var query: [(String, String)] = [("watch", "true")]
        if let labelSelector = options.labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector = options.fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let rv = options.resourceVersion { query.append(("resourceVersion", rv)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        let timeout = options.timeoutSeconds ?? Int.random(in: configuration.watchTimeoutRange)
        query.append(("timeoutSeconds", String(timeout)))
        let label = "WATCH \(path)"
        let authorization: String?
        do {
            authorization = try await self.authorization()
        } catch let error as KubeClientError {
            throw KubeClientError(code: error.code, request: label, message: error.message)
        }
        let request = makeRequest(method: .GET, path: path, query: query, body: nil, contentType: nil, authorization: authorization)
        let response: HTTPClientResponse
        do {
            let connect = configuration.requestTimeout
            let deadline = NIODeadline.now() + .nanoseconds(Int64(connect.components.seconds) * 1_000_000_000)
            response = try await watchHTTP.execute(request, deadline: deadline, logger: logger)
        } catch {
            throw Self.transportError(error, request: label)
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: 1 << 20)
            } catch {
                throw Self.transportError(error, request: label)
            }
            // A refused plugin token is thrown away, so the reflector's retry runs the plugin again.
            if response.status.code == 401 { _ = await refused(authorization: authorization) }
            throw Self.apiError(RawResponse(status: Int(response.status.code), headers: response.headers, body: body), request: label)
        }
        return WatchStream(body: response.body, maximumValueBytes: configuration.maxBodyBytes, request: label)
    }
}
