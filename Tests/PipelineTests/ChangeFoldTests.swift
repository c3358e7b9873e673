@testable import Pipeline
import Testing

/// The fold of an app's `changes` rows read in no order (``MetricFactStore/ChangeFold``), for the full recompute.
@Suite("Calculator: changes folded from rows in any order")
struct ChangeFoldTests {
    struct Row {
        var time: Int64
        var repository: String?
        var source: String
        var id: String
    }

    /// Six rows of three shas, with ties on time (broken by source, then id, by their bytes).
    static let rows: [(sha: String, row: Row)] = [
        ("a", Row(time: 5, repository: "B", source: "s", id: "2")),
        ("a", Row(time: 3, repository: nil, source: "s", id: "9")),
        // Same time as the row before; "10" precedes "9" by bytes: this row is the earliest, and names A.
        ("a", Row(time: 3, repository: "A", source: "s", id: "10")),
        ("b", Row(time: 7, repository: "R1", source: "z", id: "1")),
        // Same time; source "y" precedes "z": R2 is the first repository named.
        ("b", Row(time: 7, repository: "R2", source: "y", id: "1")),
        ("c", Row(time: 1, repository: nil, source: "s", id: "3")),
    ]

    @Test("per sha the earliest merge and the first repository named, in (time, source, id) order, whatever the order of the rows")
    func everyOrder() {
        var orders = 0
        func permutations(_ prefix: [Int], _ rest: [Int]) {
            guard !rest.isEmpty else {
                var fold = MetricFactStore.ChangeFold()
                for index in prefix {
                    let row = Self.rows[index].row
                    fold.add(
                        sha: Self.rows[index].sha, time: row.time,
                        named: row.repository.map { .init(time: row.time, repository: $0, source: row.source, id: row.id) })
                }
                let changes = fold.folded
                let bySha = Dictionary(uniqueKeysWithValues: changes.changes.map { ($0.sha, $0) })
                // a: merged at 3 (two rows at 3), repository A (named at 3, before B at 5); b: 7, R2; c: 1, none.
                #expect(bySha.mapValues(\.time) == ["a": 3, "b": 7, "c": 1], "order \(prefix)")
                let repositories: [String: String?] = ["a": "A", "b": "R2", "c": nil]
                #expect(bySha.mapValues(\.repository) == repositories, "order \(prefix)")
                #expect(changes.changes.count == 3 && changes.bySha.count == 3)
                #expect(Set(changes.repositories) == ["A", "R2"] && changes.repositories.count == 2, "order \(prefix)")
                orders += 1
                return
            }
            for (position, index) in rest.enumerated() {
                var remaining = rest
                remaining.remove(at: position)
                permutations(prefix + [index], remaining)
            }
        }
        permutations([], Array(Self.rows.indices))
        #expect(orders == 720)
    }
}
