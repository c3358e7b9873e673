import Foundation
import PacerCore
import Testing

@testable import Expressions

@Suite("Activation builders")
struct ActivationTests {
    @Test("a CloudEvent activation binds attributes, extensions, time and data")
    func cloudEvent() throws {
        let activation = Activation.cloudEvent(
            id: "1", source: "/gh", type: "dev.example.push",
            time: Date(timeIntervalSince1970: 1_714_557_600), extensions: ["partitionkey": "p", "type": "ignored"],
            data: ["ref": "main"])
        let filter = try Expression.compile(
            "type == 'dev.example.push' && partitionkey == 'p' && data.ref == 'main' && subject == null"
                + " && time == timestamp('2024-05-01T10:00:00Z')", expecting: .bool)
        #expect(try filter.evaluateBool(activation))
        #expect(try Expression.compile("subject == 'x'").evaluateBool(activation) == false)
        #expect(Set(activation.keys) == Activation.cloudEventVariables.union(["partitionkey"]))
    }

    @Test("a CDEvent activation exposes context, subject and customData")
    func cdEvent() throws {
        let event = try JSONValue.parse(#"""
            {"context": {"type": "dev.cdevents.service.deployed.0.3.0", "timestamp": "2024-05-01T10:00:00Z"},
             "subject": {"id": "svc", "content": {"environment": {"id": "prod"}}}}
            """#)
        let activation = Activation.cdEvent(event)
        let filter = try Expression.compile(
            "context.type.startsWith('dev.cdevents.service.deployed.') && subject.content.environment.id == 'prod'"
                + " && customData == null",
            variables: Activation.cdEventVariables, expecting: .bool)
        #expect(try filter.evaluateBool(activation))
        #expect(try Expression.compile("timestamp(context.timestamp).getHours()").evaluate(activation) == .int(10))
    }
}
