import PacerRules
import Testing

@Suite("DORA level tables")
struct DORALevelsTests {
    typealias Metric = MetricDefinitionSpec.Metric

    @Test("deployment frequency (median deployment days/week): 3+ Elite, 1+ High, monthly Medium, rarer Low")
    func frequency() {
        for levels in MetricDefinitionSpec.Levels.allCases {
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 7, levels: levels) == .elite)
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 3, levels: levels) == .elite)
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 2.5, levels: levels) == .high)
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 1, levels: levels) == .high)
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 0.5, levels: levels) == .low)
            #expect(DORALevels.level(metric: .deploymentFrequency, value: 0, levels: levels) == .low)
        }
        // A hundred deployments on one day a month is monthly, not daily.
        #expect(DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: 0, deploymentsPer30Days: 100) == .medium)
        #expect(DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: 0, deploymentsPer30Days: 1) == .medium)
        #expect(DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: 0, deploymentsPer30Days: 0.9) == .low)
        #expect(DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: 1, deploymentsPer30Days: 4) == .high)
        #expect(DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: 3, deploymentsPer30Days: 12) == .elite)
    }

    @Test("lead time (hours): under a day Elite, under a week High, under a month Medium")
    func leadTime() {
        for levels in MetricDefinitionSpec.Levels.allCases {
            #expect(DORALevels.level(metric: .leadTimeForChanges, value: 23.9, levels: levels) == .elite)
            #expect(DORALevels.level(metric: .leadTimeForChanges, value: 24, levels: levels) == .high)
            #expect(DORALevels.level(metric: .leadTimeForChanges, value: 167.9, levels: levels) == .high)
            #expect(DORALevels.level(metric: .leadTimeForChanges, value: 168, levels: levels) == .medium)
            #expect(DORALevels.level(metric: .leadTimeForChanges, value: 730, levels: levels) == .low)
        }
    }

    @Test("time to restore (hours): under an hour Elite (DORA), under a day High")
    func restore() {
        #expect(DORALevels.level(metric: .timeToRestore, value: 0.5, levels: .dora2024) == .elite)
        #expect(DORALevels.level(metric: .timeToRestore, value: 1, levels: .dora2024) == .high)
        #expect(DORALevels.level(metric: .timeToRestore, value: 24, levels: .dora2023) == .medium)
        #expect(DORALevels.level(metric: .timeToRestore, value: 168, levels: .dora2023) == .low)
        #expect(DORALevels.level(metric: .timeToRestore, value: 12, levels: .fourkeys) == .elite)
    }

    @Test("change failure rate (ratio): bounds are inclusive; 2024 Medium sits below High")
    func changeFailureRate() {
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.05, levels: .dora2023) == .elite)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.051, levels: .dora2023) == .high)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.15, levels: .dora2023) == .medium)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.16, levels: .dora2023) == .low)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.10, levels: .dora2024) == .medium)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.20, levels: .dora2024) == .high)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.40, levels: .dora2024) == .low)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.15, levels: .fourkeys) == .elite)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.45, levels: .fourkeys) == .medium)
        #expect(DORALevels.level(metric: .changeFailureRate, value: 0.46, levels: .fourkeys) == .low)
    }

    @Test("custom metrics, negative and non-finite values have no level")
    func noLevel() {
        #expect(DORALevels.level(metric: .custom, value: 1) == nil)
        #expect(DORALevels.level(metric: .leadTimeForChanges, value: -1) == nil)
        #expect(DORALevels.level(metric: .leadTimeForChanges, value: .nan) == nil)
        #expect(DORALevels.level(metric: .deploymentFrequency, value: .infinity) == nil)
        #expect(DORALevel.elite < .low)
        #expect(DORALevel.high.rawValue == "High")
    }
}
