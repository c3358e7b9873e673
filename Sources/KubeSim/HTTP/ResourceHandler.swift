import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PacerCore

/// The verbs on `/api/v1/...` and `/apis/G/V/...` resources: get, list, watch, create, update, patch,
/// delete, deletecollection, and the `/status` subresource.
struct ResourceHandler: Sendable {
    let store: ObjectStore
    let bookmarkInterval: Duration

    static let maxBodySize = 16 << 20

    func handle(_ request: Request, _ path: APIPath.ResourcePath, query: QueryParameters) async throws -> Response {
        guard let type = store.type(group: path.group, version: path.version, resource: path.resource) else {
            throw APIError.resourceNotFound()
        }
        if type.namespaced, path.name != nil, path.namespace == nil { throw APIError.resourceNotFound() }
        if !type.namespaced, path.namespace != nil { throw APIError.resourceNotFound() }
        if let subresource = path.subresource, !(subresource == "status" && type.hasStatus) { throw APIError.resourceNotFound() }
        let accept = request.headers[.accept]
        guard let format = OutputFormat.negotiate(accept) else { throw APIError.notAcceptable(accept ?? "") }
        let renderer = Renderer(type: type, version: path.version, format: format, includeObject: query["includeObject"])

        switch (request.method, path.name) {
        case (.get, nil):
            if query.bool("watch") {
                let watch = try WatchRequest(type: type, path: path, query: query, renderer: renderer, bookmarkInterval: bookmarkInterval)
                return watch.response(store: store)
            }
            return try list(type, path, query: query, renderer: renderer)
        case (.get, .some(let name)):
            guard let stored = store.read({ $0.stored(type.key, namespace: path.namespace ?? "", name: name) }) else {
                throw APIError.notFound(type.key, name)
            }
            return Responses.json(200, renderer.single(stored.value, bytes: stored.bytes))
        case (.post, nil):
            let body = try await Self.readObject(request)
            let options = try writeOptions(query, request)
            let result = try store.transact { try $0.create(type, version: path.version, namespace: path.namespace, body: body, options: options) }
            return written(result, renderer)
        case (.put, .some(let name)):
            let body = try await Self.readObject(request)
            let options = try writeOptions(query, request)
            let result = try store.transact {
                try $0.update(type, version: path.version, namespace: path.namespace, name: name, body: body, subresource: path.subresource, options: options)
            }
            return written(result, renderer)
        case (.patch, .some(let name)):
            let contentType = request.headers[.contentType] ?? ""
            guard let patchType = PatchType(contentType: contentType) else { throw APIError.unsupportedMediaType(contentType) }
            let body = try await Self.readBytes(request)
            var options = try writeOptions(query, request)
            if patchType == .apply, query["fieldValidation"] == nil { options.fieldValidation = .strict }
            let result = try store.transact {
                try $0.patch(
                    type, version: path.version, namespace: path.namespace, name: name, patchType: patchType, body: body,
                    subresource: path.subresource, options: options)
            }
            return written(result, renderer)
        case (.delete, .some(let name)):
            guard path.subresource == nil else { throw APIError.methodNotAllowed("DELETE") }
            let deleteOptions = try await readDeleteOptions(request, query: query)
            let result = try store.transact {
                try $0.delete(type, namespace: path.namespace, name: name, options: deleteOptions.options, preconditionRV: deleteOptions.resourceVersion)
            }
            return written(result, renderer)
        case (.delete, nil):
            return try deleteCollection(type, path, query: query, request: request)
        default:
            throw APIError.methodNotAllowed(request.method.rawValue)
        }
    }

    // MARK: Verbs

    private func list(_ type: ResourceType, _ path: APIPath.ResourcePath, query: QueryParameters, renderer: Renderer) throws -> Response {
        if query["continue"]?.isEmpty == false, let rv = query["resourceVersion"], !rv.isEmpty, rv != "0" {
            throw APIError.badRequest("specifying resource version is not allowed when using continue")
        }
        let listQuery = ObjectStore.ListQuery(
            namespace: path.namespace, labels: try LabelSelector(parsing: query["labelSelector"] ?? ""),
            fields: try FieldSelector(parsing: query["fieldSelector"] ?? "", type: type.key),
            limit: query.int("limit"), continueToken: query["continue"])
        let page = try store.list(type.key, listQuery)
        return Responses.json(200, renderer.list(page))
    }

    private func deleteCollection(_ type: ResourceType, _ path: APIPath.ResourcePath, query: QueryParameters, request: Request) throws -> Response {
        let listQuery = ObjectStore.ListQuery(
            namespace: path.namespace, labels: try LabelSelector(parsing: query["labelSelector"] ?? ""),
            fields: try FieldSelector(parsing: query["fieldSelector"] ?? "", type: type.key), limit: nil, continueToken: nil)
        let page = try store.list(type.key, listQuery)
        let options = try writeOptions(query, request)
        var deleted: [StoredObject] = []
        for item in page.items {
            let meta = item.value["metadata"]
            let name = meta?["name"]?.stringValue ?? ""
            let namespace = meta?["namespace"]?.stringValue
            if let result = try? store.transact({ try $0.delete(type, namespace: namespace, name: name, options: options, preconditionRV: nil) }) {
                let object = result.isStatus ? item.value : result.object  // the list names the deleted objects
                deleted.append(StoredObject(value: object, bytes: object.jsonBytes(), resourceVersion: 0))
            }
        }
        let renderer = Renderer(type: type, version: path.version, format: .json, includeObject: nil)
        return Responses.json(200, renderer.list(ObjectStore.ListPage(items: deleted, resourceVersion: store.currentResourceVersion)))
    }

    private func written(_ result: WriteResult, _ renderer: Renderer) -> Response {
        if result.isStatus { return Responses.json(result.httpStatus, result.bytes, headers: Responses.warningHeaders(result.warnings)) }
        return Responses.json(result.httpStatus, renderer.single(result.object, bytes: result.bytes), headers: Responses.warningHeaders(result.warnings))
    }

    // MARK: Request bodies and options

    static func readBytes(_ request: Request) async throws -> [UInt8] {
        let buffer = try await request.body.collect(upTo: Self.maxBodySize)
        return Array(buffer.readableBytesView)
    }

    static func readObject(_ request: Request) async throws -> JSONValue {
        let bytes = try await Self.readBytes(request)
        let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
        do {
            if contentType.contains("yaml") { return try YAML.document(String(decoding: bytes, as: UTF8.self)) }
            if contentType.contains("protobuf") { return try ProtobufDecoder.decode(bytes) }
            return try JSONValue.parse(bytes)
        } catch {
            throw APIError.badRequest("error decoding request body: \(error)")
        }
    }

    private func writeOptions(_ query: QueryParameters, _ request: Request) throws -> WriteOptions {
        var options = WriteOptions()
        options.force = query.bool("force")
        if let agent = request.headers[.userAgent], let prefix = agent.split(separator: "/").first, !prefix.isEmpty {
            options.defaultManager = String(prefix.prefix(128))
        }
        if let dryRun = query["dryRun"], !dryRun.isEmpty {
            guard dryRun == "All" else { throw APIError.badRequest("unsupported dryRun value \"\(dryRun)\" (supported: All)") }
            options.dryRun = true
        }
        if let validation = query["fieldValidation"], !validation.isEmpty {
            guard let parsed = FieldValidation(rawValue: validation) else {
                throw APIError.badRequest("fieldValidation must be one of Ignore, Warn, Strict (got \"\(validation)\")")
            }
            options.fieldValidation = parsed
        }
        options.fieldManager = query["fieldManager"]
        return options
    }

    private func readDeleteOptions(_ request: Request, query: QueryParameters) async throws -> (options: WriteOptions, resourceVersion: String?) {
        var options = try writeOptions(query, request)
        let bytes = try await Self.readBytes(request)
        guard !bytes.isEmpty, let body = try? JSONValue.parse(bytes) else { return (options, nil) }
        if body["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
        return (options, body["preconditions"]?["resourceVersion"]?.stringValue)
    }
}
