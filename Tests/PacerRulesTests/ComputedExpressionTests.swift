import Expressions
import PacerRules
import Testing

/// Which `where` and `field` expressions a custom MetricDefinition may use: compile() refuses what the calculator
/// cannot compute (so the definition is not Ready), naming the construct.
@Suite("ComputedExpression: the custom-metric subset the calculator computes")
struct ComputedExpressionTests {
    static func compile(where condition: String? = nil, field: String? = nil) -> Result<CompiledMetric, SpecErrors> {
        MetricDefinitionSpec(
            metric: .custom,
            custom: .init(types: ["dev.cdevents.pipelinerun.finished.0.2.0"], where: condition, aggregation: field == nil ? .count : .median, field: field)
        ).compile()
    }

    /// The single error of a refused spec.
    static func refusal(where condition: String? = nil, field: String? = nil) throws -> SpecError {
        guard case .failure(let errors) = compile(where: condition, field: field) else {
            Issue.record("accepted: where \(condition ?? "-"), field \(field ?? "-")")
            throw CancellationError()
        }
        #expect(errors.errors.count == 1, "\(errors)")
        return try #require(errors.errors.first)
    }

    @Test("the shipped sample: has() in where, double() and / in field", arguments: [
        ("subject.content.outcome == \"success\" && has(customData.durationSeconds)", "double(customData.durationSeconds) / 3600.0"),
    ])
    func sample(condition: String, field: String) throws {
        let custom = try #require(try Self.compile(where: condition, field: field).get().custom)
        #expect(custom.computedWhere == .and(
            .compare(.equal, .path(["subject", "content", "outcome"]), .literal(.string("success"))),
            .has(parent: ["customData"], key: "durationSeconds")))
        #expect(custom.computedField == .number(.arithmetic(
            .divide, .conversion(.double, .path(["customData", "durationSeconds"])), .double(3600), .double)))
    }

    @Test("accepted where forms", arguments: [
        "customData.x == 1 || !(customData.env in ['dev', 'test'])",
        "has(customData.a) && has(customData.a.b)",
        "has(subject.content.environment)",
        "customData[\"build-time\"] > 5.0",
        "double(customData.ms) / 1000.0 > 1.5",
        "int(customData.count) % 2 == 0",
        "int(customData.s) + 1 >= 3",
        "-double(customData.delta) < 0.0",
        "(double(customData.a) - double(customData.b)) * 2.0 <= double(customData.c)",
        "int(double(customData.x) / 2.0) == 3",
        "double(customData.x) == customData.y",
        "customData.flag",
        "true",
        "int(customData.n) in [1, 2, 3]",
    ])
    func acceptedWhere(condition: String) throws {
        let custom = try #require(try Self.compile(where: condition).get().custom)
        #expect(custom.computedWhere != nil)
    }

    @Test("accepted fields", arguments: [
        "customData.durationSeconds", "subject.content.environment.id", "customData[\"build-time\"]",
        "double(customData.ms) / 1000.0", "int(customData.seconds) / 60", "-int(customData.x)", "double(customData.s)",
        "(double(customData.end) - double(customData.start)) / 3600.0",
    ])
    func acceptedField(field: String) throws {
        let custom = try #require(try Self.compile(field: field).get().custom)
        #expect(custom.computedField != nil)
    }

    @Test("refused where forms name the construct, at spec.custom.where", arguments: [
        ("size(customData.commits) > 0", "size() is not supported by the calculator"),
        ("customData.ref.startsWith('refs/tags/')", "startsWith() is not supported by the calculator"),
        ("customData.ref.matches('^v')", "matches() is not supported by the calculator"),
        ("customData.items.exists(i, i.ok)", "the exists() macro is not supported by the calculator"),
        ("(customData.a ? 1 : 2) == 1", "the ?: operator is not supported by the calculator"),
        ("timestamp(context.timestamp) > timestamp('2024-01-01T00:00:00Z')", "timestamp() is not supported by the calculator"),
        ("customData.durationSeconds + 1 > 2", "arithmetic on customData.durationSeconds is not supported by the calculator (its type is only known per event: convert it, e.g. double(customData.durationSeconds)"),
        ("-customData[\"build-time\"] < 0", "arithmetic on customData[\"build-time\"] is not supported"),
        ("customData.tags[0] == 'x'", "an index other than a string literal"),
        ("customData == null", "the whole variable customData is not supported by the calculator (select a field, e.g. customData.x)"),
        ("customData.x in customData.list", "in with something other than a list of literals"),
        ("customData.x == 1u", "a uint literal is not supported"),
        ("(customData.x == 1) == true", "a condition (comparison ==) used as a value is not supported"),
    ])
    func refusedWhere(condition: String, message: String) throws {
        let error = try Self.refusal(where: condition)
        #expect(error.path == "spec.custom.where")
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect(error.message.contains("(supported: fields of context, subject and customData"), "\(error.message)")
    }

    @Test("refused fields name the construct, at spec.custom.field", arguments: [
        ("size(customData.commits)", "size() is not supported by the calculator"),
        ("customData.durationSeconds / 3600.0", "arithmetic on customData.durationSeconds is not supported"),
        ("has(customData.x)", "a condition (has()) used as a value is not supported"),
        ("customData.a + customData.b", "arithmetic on customData.a is not supported"),
        ("string(customData.x)", "string() is not supported"),
        ("[customData.x]", "a list literal is not supported"),
        ("-customData.x", "arithmetic on customData.x is not supported"),
    ])
    func refusedField(field: String, message: String) throws {
        let error = try Self.refusal(field: field)
        #expect(error.path == "spec.custom.field")
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test("a type error the checker already finds stays a compile error (the checker speaks first)")
    func mixedTypes() throws {
        for field in ["int(customData.x) / 2.0", "double(customData.x) % 2.0"] {
            let error = try Self.refusal(field: field)
            #expect(error.path == "spec.custom.field")
            #expect(error.message.contains("no matching overload"), "\(error.message)")
        }
    }
}
