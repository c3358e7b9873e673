import PostgresNIO
import PacerCore
import PacerRules

/// Every point of a definition whose plan has ``MetricPlan/inMemory``, computed from the deployments pass's samples
/// for a full computation (``MetricEngine/rebuildAll(_:upTo:keeping:now:into:on:)``): the rows
/// ``MetricPlan/pointsInsertAll(into:)`` writes, as `metric_points` COPY text, without reading the fact tables again.
///
/// The same rules in the same arithmetic: a sample counts when the plan's selector keeps its dimensions; a point is a
/// bucket (`date_trunc` in UTC: days, weeks from Monday, months, years) overall (`''`, `{}`) and, when the plan groups,
/// per group; counts are exact, a rate is `float8(failed) / float8(deployments)`, and a median is PostgreSQL's
/// `percentile_cont(0.5)`: the middle value, or `lo + 0.5 * (hi - lo)` of the two middle ones. The incremental path
/// computes its points in SQL; the tests compare the two row for row (docs/metrics.md, "Performance").
enum MemoryPoints {
    /// The COPY text of every point of `plans` (``columns``), in the order of `metric_points`' key when the plans come
    /// sorted by namespace and name (byte order): the key is then built over presorted rows. Each plan's text is
    /// handed to `body`, in the plans' order, as soon as it and those before it are computed. `width` plans are
    /// computed at a time, each on a child task: 1 when the recompute's transaction needs the other core meanwhile (a
    /// task per plan took both cooperative threads and held up its `COPY lead_times`), 2 when it only waits for them.
    static func texts(
        _ plans: [MetricPlan], samples: PointSamples, width: Int = 1, _ body: ([ByteBuffer]) async throws -> Void
    ) async throws {
        try await each(plans, width: width) { plan, rule in
            var text = COPYText()
            write(plan, rule, samples: samples, to: &text)
            return text.allChunks
        } _: { chunks in
            try await body(chunks)
        }
    }

    /// The ``RowsDigest`` of every point of `plans`, `width` plans at a time (``texts(_:samples:width:_:)``): the rows
    /// neither sorted nor printed (a third of computing their text), to compare with the stored ones.
    static func digest(_ plans: [MetricPlan], samples: PointSamples, width: Int) async throws -> RowsDigest {
        var all = RowsDigest()
        try await each(plans, width: width) { plan, rule in
            digest(plan, rule, samples: samples)
        } _: { digest in
            all.merge(digest)
        }
        return all
    }

    /// `work` for each plan of `plans` that has ``MetricPlan/inMemory``, `width` at a time on child tasks; each
    /// result handed to `body` in the plans' order as soon as it and those before it are done.
    private static func each<Result: Sendable>(
        _ plans: [MetricPlan], width: Int, _ work: @escaping @Sendable (MetricPlan, MetricPlan.InMemory) -> Result,
        _ body: (Result) async throws -> Void
    ) async throws {
        let computed = plans.compactMap { plan in plan.inMemory.map { (plan, $0) } }
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var started = 0
            var handed = 0
            var done: [Int: Result] = [:]
            func start() {
                let (index, (plan, rule)) = (started, computed[started])
                started += 1
                group.addTask { (index, work(plan, rule)) }
            }
            while started < min(max(1, width), computed.count) { start() }
            while let (index, result) = try await group.next() {
                done[index] = result
                if started < computed.count { start() }
                while let next = done.removeValue(forKey: handed) {
                    try await body(next)
                    handed += 1
                }
            }
        }
    }

    /// The points of `plan` (unordered) and its groups.
    static func points(_ plan: MetricPlan, _ rule: MetricPlan.InMemory, samples: PointSamples) -> (Groups, [Row]) {
        let groups = Groups(plan, samples.dimensions)
        switch rule {
        case .deployments(let additive):
            let counted = samples.deployments.lazy.filter(plan.includes).map { (time: $0.time, dimensions: $0.dimensions, flagged: plan.failed($0)) }
            return (groups, counts(plan, groups, counted) { count in
                switch additive {
                case .count: return Double(count.deployments)
                case .failureRate: return Double(count.failed) / Double(count.deployments)
                }
            })
        case .median(let source):
            return (groups, medians(plan, groups, source == .leadTimes ? samples.leadTimes : samples.restores))
        case .recoveryTime:
            return (groups, medians(plan, groups, recoveries(plan, samples)))
        case .reworkRate:
            return (groups, counts(plan, groups, rework(plan, samples)) { Double($0.failed) / Double($0.deployments) })
        }
    }

    /// Appends every point of `plan` to `text`, sorted by bucket, group key and bucket start.
    static func write(_ plan: MetricPlan, _ rule: MetricPlan.InMemory, samples: PointSamples, to text: inout COPYText) {
        let (groups, unordered) = points(plan, rule, samples: samples)
        var rows = unordered
        // The key's order (namespace, name, bucket, group_key, bucket_start), comparing text by bytes.
        let rank = groups.ranks
        rows.sort { a, b in
            if a.bucket != b.bucket { return a.bucket.rawValue < b.bucket.rawValue }
            if a.key.group != b.key.group { return rank[Int(a.key.group)] < rank[Int(b.key.group)] }
            return a.key.day < b.key.day
        }
        for row in rows {
            text.field(plan.namespace)
            text.field(plan.name)
            text.field(row.bucket.rawValue)
            text.time(Int64(row.key.day) * 86_400_000_000)
            text.field(groups.keys[Int(row.key.group)])
            text.field(groups.labels[Int(row.key.group)])
            text.field("\(row.value)")
            text.field("\(row.samples)")
            text.array(row.values, last: true)
        }
    }

    /// The ``RowsDigest`` of the points ``write(_:_:samples:to:)`` writes for `plan`.
    static func digest(_ plan: MetricPlan, _ rule: MetricPlan.InMemory, samples: PointSamples) -> RowsDigest {
        let (groups, rows) = points(plan, rule, samples: samples)
        var digest = RowsDigest()
        // The text columns hashed once each: the definition's, the buckets', the groups'.
        let (namespace, name) = (RowsDigest.text(plan.namespace), RowsDigest.text(plan.name))
        let buckets = Dictionary(uniqueKeysWithValues: MetricDefinitionSpec.Bucket.allCases.map { ($0, RowsDigest.text($0.rawValue)) })
        let keys = groups.keys.map(RowsDigest.text)
        let labels = groups.labels.map(RowsDigest.text)
        for row in rows {
            let group = Int(row.key.group)
            digest.addPoint(
                namespace: namespace, name: name, bucket: buckets[row.bucket]!, groupKey: keys[group], labels: labels[group],
                start: Int64(row.key.day) * 86_400_000_000, value: row.value, samples: row.samples, dayValues: row.values)
        }
        return digest
    }

    struct Row {
        var bucket: MetricDefinitionSpec.Bucket
        var key: DayGroup
        var value: Double
        var samples: Int64
        /// A day point's values in ascending order (`day_values`, ``MetricPlan/keepsDayValues``).
        var values: [Double]? = nil
    }

    /// The non-duplicate deployments (indexes into `samples.deployments`) of each app, environment and cluster, in
    /// order: the partitions and order of the SQL windows over `deployments WHERE NOT duplicate`.
    static func histories(_ samples: PointSamples) -> [[Int]] {
        struct Key: Hashable {
            var app: String
            var environment: String
            var cluster: String
        }
        var numbers: [Key: Int] = [:]
        let partition = samples.dimensions.map { dimensions in
            let key = Key(app: dimensions.app, environment: dimensions.environment, cluster: dimensions.cluster)
            if let known = numbers[key] { return known }
            numbers[key] = numbers.count
            return numbers.count - 1
        }
        var histories = [[Int]](repeating: [], count: numbers.count)
        for (index, deployment) in samples.deployments.enumerated() where !deployment.facts.duplicate {
            histories[partition[Int(deployment.dimensions)]].append(index)
        }
        return histories
    }

    /// Per deployment of a history, ``MetricPlan/nextGoodDeployment``: the earliest time of a later one that did not
    /// fail (by `plan`'s rule), nil when none.
    static func nextGood(_ history: [PointSamples.Deployment], failed: [Bool]) -> [Int64?] {
        var next = [Int64?](repeating: nil, count: history.count)
        var earliest: Int64?
        for index in history.indices.reversed() {
            next[index] = earliest
            if !failed[index] { earliest = min(earliest ?? history[index].time, history[index].time) }
        }
        return next
    }

    /// Failed deployment recovery time's samples (``MetricPlan``'s SQL for the metric): per failed deployment, at its
    /// time, the hours to the first of the next good deployment, the resolution of the incident that failed it, and
    /// that of the opening within the attribution window; none when all are unknown.
    static func recoveries(_ plan: MetricPlan, _ samples: PointSamples) -> [PointSamples.Hours] {
        var recoveries: [PointSamples.Hours] = []
        for indexes in histories(samples) {
            let history = indexes.map { samples.deployments[$0] }
            let failed = history.map(plan.failed)
            let next = nextGood(history, failed: failed)
            for (index, deployment) in history.enumerated() where failed[index] {
                let facts = deployment.facts
                let ends = [
                    next[index], facts.incidentFailed ? facts.incidentResolvedAt : nil, plan.withinWindow(facts.openGap) ? facts.openResolvedAt : nil,
                ]
                guard let recovered = ends.compactMap({ $0 }).min() else { continue }
                recoveries.append(
                    PointSamples.Hours(time: deployment.time, dimensions: deployment.dimensions, hours: NumericHours.hours(micros: recovered - deployment.time)))
            }
        }
        return recoveries
    }

    /// Deployment rework rate's samples (``MetricPlan``'s SQL for the metric): every deployment, flagged when it is a
    /// rollback or some earlier failed deployment's failure is still open at its time (open until the resolution of
    /// the incident that failed it, else of the opening within the window, else the next good deployment; never
    /// ended: open).
    static func rework(_ plan: MetricPlan, _ samples: PointSamples) -> [(time: Int64, dimensions: Int32, flagged: Bool)] {
        var rework: [(time: Int64, dimensions: Int32, flagged: Bool)] = []
        rework.reserveCapacity(samples.deployments.count)
        for indexes in histories(samples) {
            let history = indexes.map { samples.deployments[$0] }
            let failed = history.map(plan.failed)
            let next = nextGood(history, failed: failed)
            var openUntil: Int64?
            for (index, deployment) in history.enumerated() {
                let facts = deployment.facts
                rework.append((deployment.time, deployment.dimensions, facts.isRollback || (openUntil.map { $0 >= deployment.time } ?? false)))
                guard failed[index] else { continue }
                let end: Int64?
                if facts.incidentFailed {
                    end = facts.incidentResolvedAt
                } else if plan.withinWindow(facts.openGap) {
                    end = facts.openResolvedAt
                } else {
                    end = next[index]
                }
                openUntil = max(openUntil ?? .min, end ?? .max)
            }
        }
        return rework
    }

    /// The points of samples counted per bucket and group (`flagged`: counted as failed), each valued by `value`.
    static func counts(
        _ plan: MetricPlan, _ groups: Groups, _ samples: some Sequence<(time: Int64, dimensions: Int32, flagged: Bool)>, value: (Counts) -> Double
    ) -> [Row] {
        // Per day and group first; the longer buckets sum days (each starts at a UTC midnight).
        var days = KeyNumbers()
        var dayCounts: [Counts] = []
        for sample in samples {
            let group = groups.index[Int(sample.dimensions)]
            guard group >= 0 else { continue }
            let number = days.number(DayGroup(day: day(of: sample.time), group: group))
            if number == dayCounts.count { dayCounts.append(Counts()) }
            dayCounts[number].add(failed: sample.flagged)
        }
        var rows: [Row] = []
        for bucket in plan.metric.buckets {
            // Each group's points, and the overall ones when the plan groups (numbered apart: the days come group by
            // group, so each numbering mostly meets the key it just met).
            var own = (keys: KeyNumbers(), counts: [Counts]())
            var overall = (keys: KeyNumbers(), counts: [Counts]())
            func add(_ key: DayGroup, _ count: Counts, to points: inout (keys: KeyNumbers, counts: [Counts])) {
                let number = points.keys.number(key)
                if number == points.counts.count { points.counts.append(Counts()) }
                points.counts[number].add(count)
            }
            var starts = BucketStarts(bucket)
            for (number, key) in days.keys.enumerated() {
                let start = starts.start(of: key.day)
                add(DayGroup(day: start, group: key.group), dayCounts[number], to: &own)
                if groups.grouped { add(DayGroup(day: start, group: 0), dayCounts[number], to: &overall) }
            }
            for points in [own, overall] {
                for (number, key) in points.keys.keys.enumerated() {
                    let count = points.counts[number]
                    rows.append(Row(bucket: bucket, key: key, value: value(count), samples: count.deployments))
                }
            }
        }
        return rows
    }

    /// The points of samples' hours: their median per bucket and group.
    static func medians(_ plan: MetricPlan, _ groups: Groups, _ samples: [PointSamples.Hours]) -> [Row] {
        // Each selected sample's day and group, numbered once; the samples in ascending order of hours.
        var numbers = KeyNumbers()
        var selected: [(dayGroup: Int32, hours: Double)] = []
        for sample in samples {
            let group = groups.index[Int(sample.dimensions)]
            guard group >= 0 else { continue }
            selected.append((Int32(numbers.number(DayGroup(day: day(of: sample.time), group: group))), sample.hours))
        }
        let dayGroups = numbers.keys
        selected.sort { $0.hours < $1.hours }
        var rows: [Row] = []
        for bucket in plan.metric.buckets {
            var starts = BucketStarts(bucket)
            var medians = Medians()
            // Each day and group's point, and its overall point when the plan groups.
            let own = dayGroups.map { medians.slot(DayGroup(day: starts.start(of: $0.day), group: $0.group)) }
            medians.place(selected, own)
            var overall: [Int]?
            if groups.grouped {
                overall = dayGroups.map { medians.slot(DayGroup(day: starts.start(of: $0.day), group: 0)) }
                medians.place(selected, overall!)
            }
            // A day point's values, in ascending order as `selected` is.
            var values: [[Double]] = []
            if bucket == .day && plan.keepsDayValues {
                values = medians.count.map { [Double]().reserving($0) }
                for sample in selected {
                    values[own[Int(sample.dayGroup)]].append(sample.hours)
                    if let overall { values[overall[Int(sample.dayGroup)]].append(sample.hours) }
                }
            }
            for (slot, key) in medians.slots.keys.enumerated() {
                rows.append(
                    Row(bucket: bucket, key: key, value: medians.value(slot), samples: Int64(medians.count[slot]),
                        values: values.isEmpty ? nil : values[slot]))
            }
        }
        return rows
    }

    /// The `metric_points` columns ``write(_:_:samples:to:)`` writes, in order.
    static let columns = ["namespace", "name", "bucket", "bucket_start", "group_key", "labels", "value", "samples", "day_values"]

    /// Days since 1970 of a time in microseconds (floored).
    static func day(of micros: Int64) -> Int32 {
        let perDay: Int64 = 86_400_000_000
        return Int32(micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay)
    }

    /// A bucket or day (days since 1970) and a group number (0: overall).
    struct DayGroup: Hashable {
        var day: Int32
        var group: Int32
    }

    struct Counts {
        var deployments: Int64 = 0
        var failed: Int64 = 0

        mutating func add(failed: Bool) {
            deployments += 1
            if failed { self.failed += 1 }
        }

        mutating func add(_ other: Counts) {
            deployments += other.deployments
            failed += other.failed
        }
    }

    /// The plan's groups: per interned dimensions, its group number (0 when the plan does not group, -1 when the
    /// selector leaves it out); group 0 is the overall one.
    struct Groups {
        var index: [Int32]
        var keys: [String] = [""]
        var labels: [String] = ["{}"]
        let grouped: Bool

        init(_ plan: MetricPlan, _ dimensions: [PointSamples.Dimensions]) {
            grouped = !plan.metric.groupBy.isEmpty
            var numbers: [String: Int32] = [:]
            var index: [Int32] = []
            index.reserveCapacity(dimensions.count)
            for value in dimensions {
                guard plan.selects(value) else {
                    index.append(-1)
                    continue
                }
                guard grouped else {
                    index.append(0)
                    continue
                }
                let (key, labels) = plan.group(of: value)
                if let known = numbers[key] {
                    index.append(known)
                } else {
                    let number = Int32(keys.count)
                    numbers[key] = number
                    keys.append(key)
                    self.labels.append(labels)
                    index.append(number)
                }
            }
            self.index = index
        }

        /// Each group's position in the group keys' byte order.
        var ranks: [Int] {
            var ranks = [Int](repeating: 0, count: keys.count)
            for (position, group) in keys.indices.sorted(by: { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }).enumerated() {
                ranks[group] = position
            }
            return ranks
        }
    }

    /// Numbers for keys in the order first met, remembering the last key asked for: samples come history by history
    /// in time order, so most follow one of the same day and group (a dictionary lookup each cost a hash of the key).
    struct KeyNumbers {
        private(set) var keys: [DayGroup] = []
        private var numbers: [DayGroup: Int] = [:]
        private var last = (key: DayGroup(day: .min, group: .min), number: -1)

        /// `key`'s number: the next one when it is new.
        mutating func number(_ key: DayGroup) -> Int {
            if key == last.key { return last.number }
            let next = keys.count
            // One access that inserts the next number when the key is new.
            let number = { (slot: inout Int) in slot }(&numbers[key, default: next])
            if number == next { keys.append(key) }
            last = (key, number)
            return number
        }
    }

    /// A bucket size's start day of a day, remembered per day (a history spans few distinct days).
    struct BucketStarts {
        let bucket: MetricDefinitionSpec.Bucket
        private var known: [Int32: Int32] = [:]
        private var last = (day: Int32.min, start: Int32.min)

        init(_ bucket: MetricDefinitionSpec.Bucket) { self.bucket = bucket }

        mutating func start(of day: Int32) -> Int32 {
            if day == last.day { return last.start }
            let start = known[day] ?? computed(day)
            known[day] = start
            last = (day, start)
            return start
        }

        private func computed(_ day: Int32) -> Int32 {
            let date = CivilDate(daysSinceEpoch: Int(day))
            switch bucket {
            case .day: return day
            case .week: return day - Int32((date.dayOfWeek + 6) % 7)  // back to Monday
            case .month: return Int32(CivilDate.daysSinceEpoch(year: date.year, month: date.month, day: 1))
            case .year: return Int32(CivilDate.daysSinceEpoch(year: date.year, month: 1, day: 1))
            }
        }
    }

    /// The medians of one bucket size's points: a slot per point, its sample count, and its two middle values
    /// picked while the samples are walked in ascending order.
    struct Medians {
        var slots = KeyNumbers()
        var count: [Int] = []
        private var low: [Double] = []
        private var high: [Double] = []

        mutating func slot(_ key: DayGroup) -> Int {
            let slot = slots.number(key)
            if slot == count.count { count.append(0) }
            return slot
        }

        /// Walks `samples` (ascending), each in the slot `slotOf` gives its day and group (slots no other call
        /// places in): for a slot of n samples, the values at positions floor((n-1)/2) and ceil((n-1)/2),
        /// PostgreSQL's first and second row of `percentile_cont(0.5)`.
        mutating func place(_ samples: [(dayGroup: Int32, hours: Double)], _ slotOf: [Int]) {
            low += [Double](repeating: 0, count: count.count - low.count)
            high += [Double](repeating: 0, count: count.count - high.count)
            for sample in samples { count[slotOf[Int(sample.dayGroup)]] += 1 }
            var seen = [Int](repeating: 0, count: count.count)
            for sample in samples {
                let slot = slotOf[Int(sample.dayGroup)]
                let rank = seen[slot]
                seen[slot] = rank + 1
                let n = count[slot]
                if rank == (n - 1) / 2 { low[slot] = sample.hours }
                if rank == n / 2 { high[slot] = sample.hours }
            }
        }

        /// `percentile_cont(0.5)`: with an odd count the middle value; else `lo + 0.5 * (hi - lo)` (float8_lerp).
        func value(_ slot: Int) -> Double {
            count[slot] % 2 == 1 ? low[slot] : low[slot] + 0.5 * (high[slot] - low[slot])
        }
    }
}

extension Array {
    /// An empty array with room for `capacity` elements.
    fileprivate func reserving(_ capacity: Int) -> [Element] {
        var array = self
        array.reserveCapacity(capacity)
        return array
    }
}
