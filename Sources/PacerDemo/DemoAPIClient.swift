import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PacerCore

/// The demo's HTTP side: waits for Pacer to be ready and posts events as an external tool would.
struct DemoAPIClient: Sendable {
    /// `http://host:port` of the Pacer under demonstration.
    let base: String
    let http: HTTPClient

    /// Polls `/readyz` (at most 60 s).
    func waitReady() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await http.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DemoError("Pacer was not ready on \(base)/readyz within 60 s")
    }

    /// POSTs a batch (`application/cloudevents-batch+json`) to `path`; anything but 202 is an error with the answer.
    func post(_ events: [JSONValue], to path: String) async throws {
        let url = base + path
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
        request.body = .bytes(ByteBuffer(bytes: JSONValue.array(events).jsonData()))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .accepted else {
            throw DemoError("POST \(url): \(response.status.code) \(String(buffer: body))")
        }
    }
}
