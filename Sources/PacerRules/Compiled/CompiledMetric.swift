import EventModel
import Expressions

/// A validated MetricDefinition spec with defaults applied.
public struct CompiledMetric: Sendable {
    /// A compiled `spec.custom`.
    public struct Custom: Sendable {
        /// Version-independent type names (`service.deployed`; custom types `tool-subject.predicate`).
        public let typeNames: [String]
        /// The types as written.
        public let types: [CDEventType]
        public let `where`: CompiledExpression?
        public let aggregation: MetricDefinitionSpec.Aggregation
        public let field: CompiledExpression?
        public let unit: String?
        /// `where` as the calculator computes it (nil when there is no `where`).
        public let computedWhere: ComputedExpression.Condition?
        /// `field` as the calculator computes it (nil when there is no `field`).
        public let computedField: ComputedExpression.Operand?
    }

    public let metric: MetricDefinitionSpec.Metric
    /// The window as written (`30d`).
    public let window: String
    /// The window length in seconds.
    public let windowSeconds: Int64
    public let buckets: [MetricDefinitionSpec.Bucket]
    public let groupBy: [MetricDefinitionSpec.GroupBy]
    public let selector: [String: String]
    public let levels: MetricDefinitionSpec.Levels
    public let custom: Custom?
    /// `spec.failure.attributionWindow` in seconds (default 24 h).
    public let attributionWindowSeconds: Int64
    /// `spec.failure.includeRollbacks` (default false).
    public let includeRollbacks: Bool
    /// `spec.minSamples` (default ``MetricDefinitionSpec/defaultMinSamples``): fewer samples in the window give the
    /// level `InsufficientData` instead of a DORA level.
    public let minSamples: Int64

    /// Whether the metric has DORA levels (the five keys but rework rate, which has no published bands; not custom).
    public var hasLevels: Bool { metric != .custom && metric != .deploymentReworkRate }

    /// The unit the status shows: the DORA unit of the metric (see ``DORALevels``) or `spec.custom.unit`.
    public var unit: String {
        switch metric {
        case .deploymentFrequency: return "days/week"
        case .leadTimeForChanges, .timeToRestore, .failedDeploymentRecoveryTime: return "hours"
        case .changeFailureRate, .deploymentReworkRate: return "ratio"
        case .custom: return custom?.unit ?? ""
        }
    }
}

extension MetricDefinitionSpec {
    public static let defaultWindow = "30d"
    /// Default `spec.failure.attributionWindow` (docs/metrics.md, "Change failure rate", explains the choice).
    public static let defaultAttributionWindow = "24h"
    /// Default `spec.minSamples`. A median of fewer than five values, or a ratio over fewer than five deployments,
    /// moves by a whole level with a single event (one failure in four deployments is 25 %, Low; in five, 20 %, High),
    /// so a level from fewer samples says more about the last event than about the team (docs/metrics.md).
    public static let defaultMinSamples: Int64 = 5
    /// Largest accepted `spec.minSamples`.
    public static let maxMinSamples: Int64 = 1_000_000
    /// Longest accepted window: ten years.
    public static let maxWindowSeconds: Int64 = 10 * 366 * 86_400

    /// Seconds in a `<n>[dhw]` window; nil when the text does not have that form or is zero or too long.
    public static func windowSeconds(_ text: String) -> Int64? {
        guard let unit = text.last, text.count >= 2, text.count <= 12 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int64(digits), count > 0 else { return nil }
        let per: Int64
        switch unit {
        case "h": per = 3_600
        case "d": per = 86_400
        case "w": per = 604_800
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: per)
        guard !overflow, seconds <= maxWindowSeconds else { return nil }
        return seconds
    }

    /// Validates the spec, applies defaults (`window` 30d, every bucket, `levels` dora-2024) and compiles
    /// `custom.where` and `custom.field` over the CDEvent variables (`context`, `subject`, `customData`); both must be
    /// in the subset the calculator computes (``ComputedExpression``), or the spec is invalid.
    public func compile() -> Result<CompiledMetric, SpecErrors> {
        var checker = SpecChecker()
        let window = self.window ?? Self.defaultWindow
        let seconds = Self.windowSeconds(window)
        if seconds == nil {
            checker.fail("spec.window", "\"\(window)\" is not a window: use <number><h|d|w>, e.g. 30d, at most 10 years")
        }
        let buckets = Self.unique(self.buckets ?? Bucket.allCases, path: "spec.buckets", checker: &checker)
        if self.buckets?.isEmpty == true { checker.fail("spec.buckets", "must list at least one bucket (or be omitted)") }
        let groupBy = Self.unique(self.groupBy ?? [], path: "spec.groupBy", checker: &checker)
        for (key, value) in (selector ?? [:]).sorted(by: { $0.key < $1.key }) where key.isEmpty || value.isEmpty {
            checker.fail("spec.selector.\(key)", "keys and values must not be empty")
        }
        var compiledCustom: CompiledMetric.Custom?
        switch (metric, custom) {
        case (.custom, nil):
            checker.fail("spec.custom", "is required when metric is custom")
        case (.custom, let custom?):
            compiledCustom = Self.compileCustom(custom, checker: &checker)
        case (_, .some):
            checker.fail("spec.custom", "is only allowed when metric is custom (metric is \(metric.rawValue))")
        case (_, nil):
            break
        }
        let attributionText = failure?.attributionWindow ?? Self.defaultAttributionWindow
        let attributionSeconds = Self.windowSeconds(attributionText)
        if attributionSeconds == nil {
            checker.fail("spec.failure.attributionWindow", "\"\(attributionText)\" is not a window: use <number><h|d|w>, e.g. 24h, at most 10 years")
        }
        if failure != nil && ![.changeFailureRate, .failedDeploymentRecoveryTime, .deploymentReworkRate].contains(metric) {
            checker.fail(
                "spec.failure",
                "is only allowed when metric is changeFailureRate, failedDeploymentRecoveryTime or deploymentReworkRate (metric is \(metric.rawValue))")
        }
        let minSamples = self.minSamples ?? Self.defaultMinSamples
        if minSamples < 1 || minSamples > Self.maxMinSamples {
            checker.fail("spec.minSamples", "must be between 1 and \(Self.maxMinSamples), got \(minSamples)")
        }
        if self.minSamples != nil && (metric == .custom || metric == .deploymentReworkRate) {
            checker.fail("spec.minSamples", "is only allowed for metrics with DORA levels (metric is \(metric.rawValue), which has none)")
        }
        guard let seconds, let attributionSeconds else { return .failure(SpecErrors(checker.errors)) }
        return checker.result(
            CompiledMetric(
                metric: metric, window: window, windowSeconds: seconds, buckets: buckets, groupBy: groupBy,
                selector: selector ?? [:], levels: levels ?? .dora2024, custom: compiledCustom,
                attributionWindowSeconds: attributionSeconds, includeRollbacks: failure?.includeRollbacks ?? false, minSamples: minSamples))
    }

    private static func compileCustom(_ custom: Custom, checker: inout SpecChecker) -> CompiledMetric.Custom {
        var types: [CDEventType] = []
        if custom.types.isEmpty { checker.fail("spec.custom.types", "must list at least one CDEvent type") }
        for (index, text) in custom.types.enumerated() {
            do {
                let type = try CDEventType(parsing: text)
                try CDEventTypeRegistry.resolve(type)
                types.append(type)
            } catch {
                checker.fail("spec.custom.types[\(index)]", error.reason)
            }
        }
        let variables = Activation.cdEventVariables
        let whereExpression = custom.where.flatMap {
            checker.compile($0, path: "spec.custom.where", variables: variables, expecting: .bool)
        }
        var computedWhere: ComputedExpression.Condition?
        if let whereExpression {
            do {
                computedWhere = try ComputedExpression.condition(whereExpression.form)
            } catch {
                checker.fail("spec.custom.where", error.message)
            }
        }
        var field: CompiledExpression?
        var computedField: ComputedExpression.Operand?
        if let source = custom.field {
            field = checker.compile(source, path: "spec.custom.field", variables: variables, expecting: nil)
            if let field {
                do {
                    computedField = try ComputedExpression.operand(field.form)
                } catch {
                    checker.fail("spec.custom.field", error.message)
                }
            }
        } else if custom.aggregation != .count {
            checker.fail("spec.custom.field", "is required for aggregation \(custom.aggregation.rawValue)")
        }
        var names: [String] = []
        for type in types where !names.contains(type.name) { names.append(type.name) }
        return CompiledMetric.Custom(
            typeNames: names, types: types, where: whereExpression, aggregation: custom.aggregation, field: field,
            unit: custom.unit, computedWhere: computedWhere, computedField: computedField)
    }

    private static func unique<T: RawRepresentable & Equatable>(
        _ values: [T], path: String, checker: inout SpecChecker
    ) -> [T] where T.RawValue == String {
        var out: [T] = []
        for (index, value) in values.enumerated() {
            if out.contains(value) {
                checker.fail("\(path)[\(index)]", "\"\(value.rawValue)\" is listed twice")
            } else {
                out.append(value)
            }
        }
        return out
    }
}
