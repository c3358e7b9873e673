import AsyncHTTPClient
import Foundation
import TestSupport
import KubeSim
import Logging
import NIOCore
import NIOHTTP1
import PacerCore

/// A started KubeSim plus helpers to talk to it over HTTP and to run the real kubectl against it.
struct SimFixture {
    let sim: KubeSim
    let url: URL
    let directory: URL
    let token: String?

    /// Starts a sim, runs `body`, and always stops the sim and removes the temp directory.
    static func with(
        _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
        _ body: (SimFixture) async throws -> Void
    ) async throws {
        var configuration = KubeSimConfiguration()
        configuration.rolloutDelay = .milliseconds(50)
        configure(&configuration)
        let sim = KubeSim(configuration: configuration, logger: Logger(label: "kube-sim-test"))
        let url = try await sim.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fixture = SimFixture(sim: sim, url: url, directory: directory, token: configuration.token)
        do {
            try await body(fixture)
        } catch {
            await sim.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        await sim.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: HTTP

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: JSONValue
        var text: String
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, contentType: String = "application/json",
        headers extra: [(String, String)] = [], authorized: Bool = true, rawBody: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url.absoluteString + path)
        request.method = method
        if authorized, let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: Array(body.jsonData())))
        }
        if let rawBody { request.body = .bytes(ByteBuffer(string: rawBody)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        let text = String(buffer: buffer)
        let json = (try? JSONValue.parse(text)) ?? .null
        return Reply(status: Int(response.status.code), headers: response.headers, body: json, text: text)
    }

    /// GET returning the raw body (no JSON parsing, for large lists).
    func rawGet(_ path: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url.absoluteString + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 256 << 20)
        return (Int(response.status.code), Array(buffer.readableBytesView))
    }

    /// Opens a watch and collects events until `until` returns true, the stream ends, or `timeout` passes.
    func watch(_ path: String, timeout: Duration = .seconds(5), until: @escaping @Sendable ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        try await collect(try await openWatch(path, timeout: timeout), path: path, timeout: timeout, until: until)
    }

    /// Opens a watch and returns once the response has started: the simulator registers a watch before it
    /// answers, so changes made after this are delivered as live events.
    func openWatch(_ path: String, timeout: Duration = .seconds(5)) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url.absoluteString + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds + 10))
    }

    /// Collects the events of an opened watch until `until` returns true, the stream ends, or `timeout` passes.
    func collect(
        _ response: HTTPClientResponse, path: String, timeout: Duration = .seconds(5), until: @escaping @Sendable ([JSONValue]) -> Bool
    ) async throws -> [JSONValue] {
        try await withThrowingTaskGroup(of: [JSONValue]?.self) { group in
            group.addTask {
                var events: [JSONValue] = []
                var pending: [UInt8] = []
                for try await chunk in response.body {
                    pending += Array(chunk.readableBytesView)
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = Array(pending[..<newline])
                        pending.removeFirst(newline + 1)
                        if let event = try? JSONValue.parse(line) { events.append(event) }
                        if until(events) { return events }
                    }
                }
                return events
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let events = first else { throw FixtureError("watch \(path) timed out") }
            return events
        }
    }

    // MARK: kubectl

    typealias KubectlResult = Subprocess.Result

    func writeFile(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs /usr/bin/kubectl with this sim's kubeconfig and a private cache directory (killed after 30 s).
    func kubectl(_ arguments: String...) async throws -> KubectlResult {
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        if !FileManager.default.fileExists(atPath: kubeconfig) { try sim.writeKubeconfig(to: kubeconfig) }
        let kubectl = Kubectl(
            kubeconfig: kubeconfig, cacheDirectory: directory.appendingPathComponent("cache").path, workingDirectory: directory.path)
        return try await kubectl(arguments)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Test objects.
enum Fixtures {
    static let widgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.test.pacer.dev
        spec:
          group: test.pacer.dev
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Color, type: string, jsonPath: .spec.color}
            - {name: Size, type: integer, jsonPath: .spec.size}
            - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [color]
                    properties:
                      color: {type: string, enum: [red, green, blue]}
                      size: {type: integer, minimum: 1, maximum: 10, default: 3}
                      window: {type: string, pattern: '^[0-9]+[dhw]$'}
                  status:
                    type: object
                    properties:
                      conditions:
                        type: array
                        items:
                          type: object
                          properties:
                            type: {type: string}
                            status: {type: string}

        """

    static func widget(_ name: String, color: String = "red", extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["color": .string(color)]
        spec.merge(extra) { $1 }
        return ["apiVersion": "test.pacer.dev/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    static let widgetsPath = "/apis/test.pacer.dev/v1/namespaces/default/widgets"
}
