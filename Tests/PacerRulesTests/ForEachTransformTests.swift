import EventModel
import PacerCore
import PacerRules
import Testing

@Suite("CDEventTransform spec.forEach: one CDEvent per element")
struct ForEachTransformTests {
    /// A push-like payload: three commits, the second without an author email.
    static let push = CloudEvent(
        id: "delivery-1", source: "https://github.com/acme/shop", type: "dev.knative.source.github.push",
        time: "2026-11-20T12:00:00Z",
        data: .json([
            "ref": "refs/heads/main",
            "repository": ["name": "shop", "html_url": "https://github.com/acme/shop"],
            "commits": [
                ["id": "aaa1", "timestamp": "2026-11-20T09:00:00+01:00", "author": ["name": "Ann"]],
                ["id": "bbb2", "timestamp": "2026-11-20T10:30:00Z", "author": ["name": "Bo"]],
                ["id": "ccc3", "timestamp": "2026-11-20T11:45:00Z", "author": ["name": "Cy"]],
            ],
        ]))

    static func spec(forEach: String? = "data.commits", id: String? = nil, subjectId: String = "item.id") -> CDEventTransformSpec {
        CDEventTransformSpec(
            output: .init(type: "dev.cdevents.change.merged.0.3.0"),
            subject: .init(id: subjectId, source: "data.repository.html_url", content: ["repository": ["id": "data.repository.name"]]),
            customData: "{\"app\": data.repository.name, \"author\": item.author.name, \"position\": itemIndex}",
            timestamp: "item.timestamp", id: id, forEach: forEach)
    }

    @Test("a list of three gives three CDEvents, each with its element's fields, in list order")
    func fansOut() throws {
        let transform = try Self.spec().compile().get()
        let events = try transform.applyAll(to: Self.push, activation: Self.push.activation, transform: "ns/t")
        #expect(events.map(\.subject.id) == ["aaa1", "bbb2", "ccc3"])
        // 09:00+01:00 is 08:00Z (timestamps are written in UTC).
        #expect(events.map(\.context.timestamp.text) == ["2026-11-20T08:00:00Z", "2026-11-20T10:30:00Z", "2026-11-20T11:45:00Z"])
        #expect(events.map { $0.customData?["author"] } == ["Ann", "Bo", "Cy"])
        #expect(events.map { $0.customData?["position"] } == [0, 1, 2])
        #expect(events.allSatisfy { $0.validationErrors(.strict).isEmpty })
        // Ids: per element, stable, distinct, and not the single-event id.
        let ids = events.map(\.context.id)
        #expect(Set(ids).count == 3)
        #expect(ids[1] == CDEventIdentity.id(cloudEventSource: Self.push.source, cloudEventId: "delivery-1", transform: "ns/t", element: 1))
        #expect(!ids.contains(CDEventIdentity.id(cloudEventSource: Self.push.source, cloudEventId: "delivery-1", transform: "ns/t")))
        let again = try transform.applyAll(to: Self.push, activation: Self.push.activation, transform: "ns/t")
        #expect(again.map(\.context.id) == ids)
    }

    @Test("with spec.id the identity is per element, so the same commit in another delivery gives the same CDEvent")
    func identityPerElement() throws {
        let transform = try Self.spec(id: "item.id").compile().get()
        var redelivered = Self.push
        redelivered.id = "delivery-2"
        let first = try transform.applyAll(to: Self.push, activation: Self.push.activation, transform: "ns/t")
        let second = try transform.applyAll(to: redelivered, activation: redelivered.activation, transform: "ns/t")
        #expect(first.map(\.context.id) == second.map(\.context.id))
        #expect(first[0].context.id == CDEventIdentity.id(cloudEventSource: "", cloudEventId: "aaa1", transform: "ns/t"))
    }

    @Test("an empty or null list gives nothing; without forEach one CDEvent; item is unknown outside forEach")
    func emptyAndAbsent() throws {
        var empty = Self.push
        empty.data = .json(["commits": [], "repository": ["name": "shop", "html_url": "https://github.com/acme/shop"]])
        #expect(try Self.spec().compile().get().applyAll(to: empty, activation: empty.activation, transform: "ns/t").isEmpty)
        empty.data = .json(["commits": nil, "repository": ["name": "shop", "html_url": "https://github.com/acme/shop"]])
        #expect(try Self.spec().compile().get().applyAll(to: empty, activation: empty.activation, transform: "ns/t").isEmpty)

        let single = try Self.spec(forEach: nil, subjectId: "data.commits[2].id").compile().get()
        #expect(throws: TransformError.self) {
            // customData reads `item`, which exists only inside forEach.
            _ = try single.applyAll(to: Self.push, activation: Self.push.activation, transform: "ns/t")
        }
    }

    @Test("a failing element fails the whole event and names the element; a non-list is refused")
    func allOrNothing() throws {
        var broken = Self.push
        broken.data = .json([
            "repository": ["name": "shop", "html_url": "https://github.com/acme/shop"],
            "commits": [["id": "aaa1", "timestamp": "2026-11-20T09:00:00Z", "author": ["name": "Ann"]], ["timestamp": "2026-11-20T09:00:00Z", "author": ["name": "Bo"]]],
        ])
        let transform = try Self.spec().compile().get()
        do {
            _ = try transform.applyAll(to: broken, activation: broken.activation, transform: "ns/t")
            Issue.record("expected a failure")
        } catch {
            #expect(error.description.hasPrefix("spec.forEach[1]: spec.subject.id:"))
            #expect(error.description.contains("no such key: id"))
        }
        let notAList = try Self.spec(forEach: "data.ref").compile().get()
        #expect(throws: TransformError(.wrongType, field: "spec.forEach", "expected a list, got string")) {
            _ = try notAList.applyAll(to: Self.push, activation: Self.push.activation, transform: "ns/t")
        }
    }

    @Test("forEach must compile like every other field")
    func compileError() {
        guard case .failure(let errors) = Self.spec(forEach: "data.commits[").compile() else {
            Issue.record("expected a compile error")
            return
        }
        #expect(errors.errors.map(\.path) == ["spec.forEach"])
    }
}
