import EventModel
import Foundation
import KubeCore
import OperatorAPI
import PacerRules
import PacerCore
import Testing

@Suite("CRD files")
struct CRDSchemaTests {
    static let files = ["eventroute.yaml", "cdeventtransform.yaml", "metricdefinition.yaml"]

    static func crd(_ name: String) throws -> JSONValue {
        let documents = try Repo.documents(Repo.url("crds/\(name)"))
        try #require(documents.count == 1)
        return documents[0]
    }

    static func version(_ crd: JSONValue) -> JSONValue? { crd["spec"]?["versions"]?[0] }

    /// Walks a schema node; records paths of nodes without a type or a description.
    static func walk(_ schema: JSONValue, path: String, problems: inout [String]) {
        if schema["type"]?.stringValue == nil { problems.append("\(path): no type") }
        if (schema["description"]?.stringValue ?? "").isEmpty { problems.append("\(path): no description") }
        for (name, child) in schema["properties"]?.objectValue ?? [:] {
            walk(child, path: "\(path).\(name)", problems: &problems)
        }
        if let items = schema["items"] { walk(items, path: "\(path)[]", problems: &problems) }
        if let additional = schema["additionalProperties"], additional.objectValue != nil {
            walk(additional, path: "\(path).*", problems: &problems)
        }
    }

    @Test("each CRD names the pacer.dev group, v1alpha1, Namespaced, category pacer, short names, status subresource",
          arguments: zip(files, [ResourceDescriptor.eventRoutes, .cdEventTransforms, .metricDefinitions]))
    func identity(file: String, resource: ResourceDescriptor) throws {
        let crd = try Self.crd(file)
        #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1")
        #expect(crd["kind"] == "CustomResourceDefinition")
        #expect(crd["metadata"]?["name"]?.stringValue == resource.description)
        #expect(crd["spec"]?["group"]?.stringValue == resource.group)
        #expect(crd["spec"]?["scope"] == "Namespaced")
        #expect(crd["spec"]?["names"]?["kind"]?.stringValue == resource.kind)
        #expect(crd["spec"]?["names"]?["plural"]?.stringValue == resource.plural)
        #expect(crd["spec"]?["names"]?["categories"] == ["pacer"])
        #expect((crd["spec"]?["names"]?["shortNames"]?.arrayValue?.count ?? 0) >= 1)
        let version = try #require(Self.version(crd))
        #expect(version["name"]?.stringValue == resource.version)
        #expect(version["served"] == true && version["storage"] == true)
        #expect(version["subresources"]?["status"]?.objectValue != nil)
    }

    @Test("schemas are structural: every field has a type and a description", arguments: files)
    func structural(file: String) throws {
        let crd = try Self.crd(file)
        let schema = try #require(Self.version(crd)?["schema"]?["openAPIV3Schema"])
        var problems: [String] = []
        Self.walk(schema, path: file, problems: &problems)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(schema["properties"]?["spec"]?["type"] == "object")
        #expect(schema["properties"]?["status"]?["properties"]?["conditions"]?["type"] == "array")
        #expect(schema["properties"]?["status"]?["properties"]?["observedGeneration"]?["type"] == "integer")
    }

    @Test("printer columns point at fields that exist in the schema", arguments: files)
    func printerColumns(file: String) throws {
        let crd = try Self.crd(file)
        let version = try #require(Self.version(crd))
        let schema = try #require(version["schema"]?["openAPIV3Schema"])
        let columns = try #require(version["additionalPrinterColumns"]?.arrayValue)
        #expect(!columns.isEmpty)
        for column in columns {
            let path = try #require(column["jsonPath"]?.stringValue)
            if path == ".metadata.creationTimestamp" { continue }
            // `.status.conditions[?(@.type=="Ready")].status` → status, conditions, [], status
            var node: JSONValue? = schema
            for segment in Self.segments(path) {
                if segment == "[]" {
                    node = node?["items"]
                } else {
                    node = node?["properties"]?[segment]
                }
            }
            #expect(node?["type"] != nil, "\(file): \(path) is not in the schema")
            let type = column["type"]?.stringValue
            #expect(["string", "integer", "number", "boolean", "date"].contains(type ?? ""), "\(path): \(type ?? "nil")")
        }
    }

    static func segments(_ path: String) -> [String] {
        var out: [String] = []
        var rest = Substring(path)
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst(); continue }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { break }
                out.append("[]")
                rest = rest[rest.index(after: close)...]
                continue
            }
            let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            out.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return out
    }

    @Test("MetricDefinition columns: Metric, Value, Unit, Level, Samples (integer), Window, Last computed (date), Ready")
    func metricColumns() throws {
        let columns = try #require(Self.version(try Self.crd("metricdefinition.yaml"))?["additionalPrinterColumns"]?.arrayValue)
        #expect(columns.compactMap { $0["name"]?.stringValue } == ["Metric", "Value", "Unit", "Level", "Samples", "Window", "Last computed", "Ready"])
        for column in columns {
            #expect(Set(column.objectValue?.keys.map { $0 } ?? []) == ["name", "type", "jsonPath", "description"], "\(column)")
        }
        #expect(columns[3]["description"]?.stringValue?.contains("InsufficientData") == true)
        #expect(columns[4]["type"] == "integer")
        #expect(columns[4]["jsonPath"] == ".status.samples")
        #expect(columns[6]["type"] == "date")
        #expect(columns[7]["jsonPath"] == ".status.conditions[?(@.type==\"Ready\")].status")
        // The Level column can say InsufficientData (spec.minSamples), and the status schema allows it.
        let status = Self.version(try Self.crd("metricdefinition.yaml"))?["schema"]?["openAPIV3Schema"]?["properties"]?["status"]?["properties"]
        #expect(status?["level"]?["enum"]?.arrayValue?.contains("InsufficientData") == true)
        #expect(status?["samples"]?["type"] == "integer")
    }

    @Test("the output type pattern lists exactly the registry's subjects and predicates")
    func typePattern() throws {
        let crd = try Self.crd("cdeventtransform.yaml")
        let pattern = Self.version(crd)?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["properties"]?["output"]?["properties"]?["type"]?["pattern"]?.stringValue
        #expect(pattern == CDEventTransformSpec.outputTypePattern)
        let metric = try Self.crd("metricdefinition.yaml")
        let typesPattern = Self.version(metric)?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["properties"]?["custom"]?["properties"]?["types"]?["items"]?["pattern"]?.stringValue
        #expect(typesPattern == CDEventTransformSpec.outputTypePattern)
        let regex = try NSRegularExpression(pattern: try #require(pattern))
        func matches(_ text: String) -> Bool {
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        for type in CDEventTypeRegistry.currentTypes { #expect(matches(type.description), "\(type)") }
        #expect(matches("dev.cdeventsx.mytool-widget.created.0.1.0"))
        #expect(!matches("dev.cdevents.service.exploded.0.3.0"))
        #expect(!matches("dev.cdevents.service.deployed"))
        #expect(!matches("dev.pacer.deployment.revision"))
    }
}
