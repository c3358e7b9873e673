import Foundation
import KubeCore
import NIOCore
import NIOHTTP1
import PacerCore

/// The verbs on one resource type, in one namespace (or all namespaces / cluster scope when
/// `namespace` is nil). Obtain one from ``KubeClient/resource(_:namespace:)``.
///
/// Writes of objects Pacer does not own should use ``patch(_:mergePatch:)``: typed objects model
/// only some fields, so a PUT of a decoded typed object would drop the others.
public struct ResourceClient<Object: KubernetesResource>: Sendable {
    public let client: KubeClient
    public let resource: ResourceDescriptor
    public let namespace: String?

    public init(client: KubeClient, resource: ResourceDescriptor, namespace: String?) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
    }

    // MARK: Reads

    /// GET one object. 404 throws an error with `isNotFound`.
    public func get(_ name: String) async throws -> Object {
        let path = try objectPath(name, namespace: namespace)
        let response = try await client.perform(method: .GET, path: path)
        return try client.decode(Object.self, from: response, request: "GET \(path)")
    }

    /// GET one object; nil when it does not exist.
    public func getIfPresent(_ name: String) async throws -> Object? {
        do {
            return try await get(name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    /// One list call (one page when `options.limit` is set; follow `metadata.continue` for more).
    public func list(_ options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        let path = resource.path(namespace: namespace)
        let response = try await client.perform(method: .GET, path: path, query: options.query)
        return try client.decode(ObjectList<Object>.self, from: response, request: "GET \(path)")
    }

    /// Lists every page (following continue tokens); the result carries the first page's resourceVersion.
    public func listAll(_ options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        var page = try await list(options)
        var items = page.items
        let resourceVersion = page.metadata.resourceVersion
        while let token = page.metadata.continue, !token.isEmpty {
            var next = options
            next.continueToken = token
            next.resourceVersion = nil
            next.resourceVersionMatch = nil
            page = try await list(next)
            items += page.items
        }
        return ObjectList(metadata: ListMeta(resourceVersion: resourceVersion), items: items)
    }

    /// Starts a watch; events are parsed from the streamed body as they arrive.
    public func watch(_ options: WatchOptions = WatchOptions()) async throws -> WatchStream<Object> {
        try await client.watch(Object.self, path: resource.path(namespace: namespace), options: options)
    }

    // MARK: Writes

    /// POST a new object (into its own namespace, or this client's).
    public func create(_ object: Object) async throws -> Object {
        let path = resource.path(namespace: object.metadata.namespace ?? namespace)
        try requireNamespace(object.metadata.namespace ?? namespace)
        return try await send(.POST, path: path, body: try encode(object))
    }

    /// PUT the whole object; its `metadata.resourceVersion` must be current, else 409 (`isConflict`).
    public func update(_ object: Object) async throws -> Object {
        let path = try objectPath(try name(of: object), namespace: object.metadata.namespace ?? namespace)
        return try await send(.PUT, path: path, body: try encode(object))
    }

    /// DELETE an object; 404 throws `isNotFound`.
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws {
        let path = try objectPath(name, namespace: namespace)
        var query: [(String, String)] = []
        if let policy = options.propagationPolicy { query.append(("propagationPolicy", policy)) }
        if let grace = options.gracePeriodSeconds { query.append(("gracePeriodSeconds", String(grace))) }
        var body: [UInt8]?
        if let rv = options.preconditionResourceVersion {
            body = Array(JSONValue.object([
                "kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["resourceVersion": .string(rv)],
            ]).jsonData())
        }
        _ = try await client.perform(method: .DELETE, path: path, query: query, body: body, contentType: "application/json")
    }

    /// JSON merge patch (RFC 7386): only the given keys change; `null` deletes a key; arrays are replaced.
    public func patch(_ name: String, mergePatch: JSONValue) async throws -> Object {
        let path = try objectPath(name, namespace: namespace)
        return try await send(.PATCH, path: path, body: Array(mergePatch.jsonData()), contentType: "application/merge-patch+json")
    }

    /// Server-side apply (`application/apply-patch+yaml`, JSON body) with a field manager.
    public func apply(_ object: JSONValue, fieldManager: String, force: Bool = false) async throws -> Object {
        var body = object
        fillTypeMeta(&body)
        guard let name = body[path: ["metadata", "name"]]?.stringValue else {
            throw KubeClientError(code: .encoding, request: "PATCH \(resource)", message: "apply needs metadata.name")
        }
        let ns = body[path: ["metadata", "namespace"]]?.stringValue ?? namespace
        let path = try objectPath(name, namespace: ns)
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        return try await send(.PATCH, path: path, query: query, body: Array(body.jsonData()), contentType: "application/apply-patch+yaml")
    }

    /// Server-side apply of a typed object.
    public func apply(_ object: Object, fieldManager: String, force: Bool = false) async throws -> Object {
        try await apply(try jsonValue(object), fieldManager: fieldManager, force: force)
    }

    /// PUT to the `status` subresource (only `.status` is taken; resourceVersion must be current).
    public func updateStatus(_ object: Object) async throws -> Object {
        let path = try objectPath(try name(of: object), namespace: object.metadata.namespace ?? namespace, subresource: "status")
        return try await send(.PUT, path: path, body: try encode(object))
    }

    /// JSON merge patch of the `status` subresource, e.g. `["status": ["observedGeneration": 3]]`.
    public func patchStatus(_ name: String, mergePatch: JSONValue) async throws -> Object {
        let path = try objectPath(name, namespace: namespace, subresource: "status")
        return try await send(.PATCH, path: path, body: Array(mergePatch.jsonData()), contentType: "application/merge-patch+json")
    }

    // MARK: Helpers

    private func send(_ method: HTTPMethod, path: String, query: [(String, String)] = [], body: [UInt8], contentType: String = "application/json") async throws -> Object {
        let response = try await client.perform(method: method, path: path, query: query, body: body, contentType: contentType)
        return try client.decode(Object.self, from: response, request: "\(method.rawValue) \(path)")
    }

    private func objectPath(_ name: String, namespace: String?, subresource: String? = nil) throws -> String {
        try requireNamespace(namespace)
        return resource.path(namespace: namespace, name: name, subresource: subresource)
    }

    private func requireNamespace(_ namespace: String?) throws {
        if resource.namespaced, namespace?.isEmpty ?? true {
            throw KubeClientError(code: .encoding, request: "\(resource)", message: "\(resource.kind) is namespaced: give a namespace")
        }
    }

    private func name(of object: Object) throws -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeClientError(code: .encoding, request: "\(resource)", message: "object has no metadata.name")
        }
        return name
    }

    private func jsonValue(_ object: Object) throws -> JSONValue {
        do {
            var value = try JSONValue(encoding: object)
            fillTypeMeta(&value)
            return value
        } catch {
            throw KubeClientError(code: .encoding, request: "\(resource)", message: "cannot encode \(Object.self): \(error)")
        }
    }

    private func encode(_ object: Object) throws -> [UInt8] {
        Array(try jsonValue(object).jsonData())
    }

    /// Sets `apiVersion` and `kind` from the descriptor when the body lacks them.
    private func fillTypeMeta(_ value: inout JSONValue) {
        if value["apiVersion"] == nil { value["apiVersion"] = .string(resource.apiVersion) }
        if value["kind"] == nil { value["kind"] = .string(resource.kind) }
    }
}
