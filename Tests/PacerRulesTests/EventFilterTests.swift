import EventModel
import PacerRules
import PacerCore
import Testing

@Suite("EventFilter (CloudEvents Subscriptions API dialects)")
struct EventFilterTests {
    static let event = CloudEvent(
        id: "e1", source: "/k8s/prod/apis/apps/v1/namespaces/shop/deployments/cart", type: "dev.pacer.deployment.revision",
        subject: "shop/cart", extensions: ["partitionkey": "shop", "sequence": 42, "sampled": true])

    static func filter(_ yaml: String) throws -> EventFilter {
        try EventFilter(json: try #require(try YAML.documents(yaml).first), path: "spec.filters[0]")
    }

    static func matches(_ yaml: String, _ event: CloudEvent = event) throws -> Bool {
        try filter(yaml).matches(event)
    }

    @Test("exact, prefix and suffix compare attribute values as strings, case-sensitively")
    func stringDialects() throws {
        #expect(try Self.matches("exact: {type: dev.pacer.deployment.revision}"))
        #expect(try !Self.matches("exact: {type: dev.pacer.deployment.Revision}"))
        #expect(try !Self.matches("exact: {type: dev.pacer.deployment}"))
        #expect(try Self.matches("prefix: {source: /k8s/prod/}"))
        #expect(try !Self.matches("prefix: {source: /K8S/}"))
        #expect(try Self.matches("suffix: {subject: /cart}"))
        #expect(try !Self.matches("suffix: {subject: /carts}"))
        #expect(try Self.matches("exact: {type: dev.pacer.deployment.revision, subject: shop/cart}"))
        #expect(try !Self.matches("exact: {type: dev.pacer.deployment.revision, subject: shop/other}"))
    }

    @Test("extensions match by their string form; a missing attribute never matches")
    func extensionsAndMissing() throws {
        #expect(try Self.matches("exact: {partitionkey: shop}"))
        #expect(try Self.matches("exact: {sequence: '42'}"))
        #expect(try Self.matches("exact: {sampled: 'true'}"))
        #expect(try !Self.matches("exact: {traceparent: x}"))
        #expect(try !Self.matches("prefix: {traceparent: ''}"))
        #expect(try !Self.matches("exact: {dataschema: ''}"))
        #expect(try Self.matches("not: {exact: {traceparent: x}}"))
        var noSubject = Self.event
        noSubject.subject = nil
        #expect(try !Self.matches("suffix: {subject: cart}", noSubject))
    }

    @Test("all, any and not nest")
    func nesting() throws {
        #expect(try Self.matches("all: [{prefix: {type: dev.pacer.}}, {suffix: {type: .revision}}]"))
        #expect(try !Self.matches("all: [{prefix: {type: dev.pacer.}}, {suffix: {type: .deleted}}]"))
        #expect(try Self.matches("all: []"))
        #expect(try Self.matches("any: [{exact: {type: x}}, {prefix: {source: /k8s}}]"))
        #expect(try !Self.matches("any: [{exact: {type: x}}, {exact: {type: y}}]"))
        #expect(try !Self.matches("not: {prefix: {source: /k8s}}"))
        #expect(try Self.matches("not: {not: {prefix: {source: /k8s}}}"))
        #expect(try Self.matches("any: [{not: {exact: {type: x}}}, {all: [{exact: {type: y}}]}]"))
    }

    @Test("malformed filters are refused with field paths")
    func malformed() throws {
        func errors(_ yaml: String) throws -> [String] {
            do {
                _ = try Self.filter(yaml)
                return []
            } catch let error as SpecErrors {
                return error.errors.map(\.description)
            }
        }
        #expect(try errors("{exact: {type: a}, prefix: {type: b}}") == [
            "spec.filters[0]: must have exactly one of exact, prefix, suffix, all, any, not, found exact, prefix"
        ])
        #expect(try errors("{equals: {type: a}}") == [
            "spec.filters[0].equals: unknown filter dialect; use one of exact, prefix, suffix, all, any, not"
        ])
        #expect(try errors("any: [{exact: {Type: a}}, {exact: {type: 1}}]") == [
            "spec.filters[0].any[0].exact.Type: is not a CloudEvents attribute name (lowercase letters and digits)",
            "spec.filters[0].any[1].exact.type: must be a string, got integer",
        ])
        #expect(try errors("any: []") == ["spec.filters[0].any: must contain at least one filter"])
        #expect(try errors("exact: {}") == ["spec.filters[0].exact: must map at least one attribute name to a string value"])
        #expect(try errors("not: [a]") == ["spec.filters[0].not: must be an object with one of exact, prefix, suffix, all, any, not, got array"])
    }
}
