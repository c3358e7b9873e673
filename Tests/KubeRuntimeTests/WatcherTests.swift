import KubeClient
import KubeCore
@testable import KubeRuntime
import TestSupport
import Testing

@Suite("Watcher state machine (scripted API)")
struct WatcherTests {
    func watcher(_ source: ScriptedSource, pageSize: Int? = 2) -> Watcher<Item> {
        var configuration = WatcherConfiguration(pageSize: pageSize, backoff: testBackoff)
        configuration.minimumHealthyWatch = .zero
        return Watcher(source: source, configuration: configuration)
    }

    @Test func listsAllPagesThenWatchesFromListVersion() async throws {
        let source = ScriptedSource(
            lists: [
                .page([.make("a", rv: "1"), .make("b", rv: "2")], resourceVersion: "10", continue: "t1"),
                .page([.make("c", rv: "3")], resourceVersion: "10"),
            ],
            watches: [.events([.added(.make("d", rv: "11"))])])
        let events = try await firstEvents(watcher(source), count: 6)
        #expect(summary(events) == ["start", "init:a@1", "init:b@2", "init:c@3", "done", "apply:d@11"])
        #expect(source.calls == [.list(continueToken: nil), .list(continueToken: "t1"), .watch(resourceVersion: "10")])
    }

    @Test func resumesFromLastVersionAfterDroppedWatchWithoutRelisting() async throws {
        let source = ScriptedSource(
            lists: [.page([.make("a", rv: "1")], resourceVersion: "5")],
            watches: [
                .events([.modified(.make("a", rv: "6")), .bookmark(WatchBookmark(resourceVersion: "8"))]),
                .eventsThenFail([.deleted(.make("a", rv: "9"))], KubeClientError(code: .transport, message: "connection reset")),
                .events([.added(.make("b", rv: "12"))]),
            ])
        let events = try await firstEvents(watcher(source), count: 6)
        #expect(summary(events) == ["start", "init:a@1", "done", "apply:a@6", "delete:a@9", "apply:b@12"])
        #expect(source.calls == [
            .list(continueToken: nil), .watch(resourceVersion: "5"), .watch(resourceVersion: "8"), .watch(resourceVersion: "9"),
        ])
    }

    @Test func relistsAfterGoneErrorEvent() async throws {
        let expired = Status(message: "too old resource version: 5 (20)", reason: "Expired", code: 410)
        let source = ScriptedSource(
            lists: [
                .page([.make("a", rv: "1")], resourceVersion: "5"),
                .page([.make("b", rv: "21")], resourceVersion: "22"),
            ],
            watches: [
                .events([.modified(.make("a", rv: "6")), .error(expired)]),
                .events([.added(.make("c", rv: "23"))]),
            ])
        let events = try await firstEvents(watcher(source), count: 8)
        #expect(summary(events) == ["start", "init:a@1", "done", "apply:a@6", "start", "init:b@21", "done", "apply:c@23"])
        #expect(source.calls == [
            .list(continueToken: nil), .watch(resourceVersion: "5"), .list(continueToken: nil), .watch(resourceVersion: "22"),
        ])
    }

    @Test func relistsWhenWatchRequestIsGone() async throws {
        let source = ScriptedSource(
            lists: [.page([], resourceVersion: "5"), .page([.make("x", rv: "30")], resourceVersion: "31")],
            watches: [.events([.bookmark(WatchBookmark(resourceVersion: "7"))]), .fail(gone())])
        let events = try await firstEvents(watcher(source), count: 5)
        #expect(summary(events) == ["start", "done", "start", "init:x@30", "done"])
        #expect(source.calls.prefix(4) == [.list(continueToken: nil), .watch(resourceVersion: "5"), .watch(resourceVersion: "7"), .list(continueToken: nil)])
    }

    @Test func retriesFailuresWithGrowingBackoff() async throws {
        let source = ScriptedSource(
            lists: [.fail(serverError()), .fail(serverError()), .fail(serverError()), .page([.make("a", rv: "1")], resourceVersion: "2")],
            watches: [])
        let started = ContinuousClock.now
        let events = try await firstEvents(watcher(source), count: 3)
        #expect(summary(events) == ["start", "init:a@1", "done"])
        // 20 ms + 40 ms + 80 ms of backoff at least: never a tight loop.
        #expect(ContinuousClock.now - started >= .milliseconds(140))
        // Each wait is at least its doubled nominal delay (comparing one measured wait with the next failed when a
        // loaded machine stretched the first one).
        let times = source.callTimes
        #expect(times[1] - times[0] >= .milliseconds(19))
        #expect(times[2] - times[1] >= .milliseconds(39))
        #expect(times[3] - times[2] >= .milliseconds(79))
    }

    @Test func honoursRetryAfterOn429() async throws {
        let source = ScriptedSource(
            lists: [.fail(serverError(429, retryAfter: .seconds(1))), .page([], resourceVersion: "2")],
            watches: [])
        let events = try await firstEvents(watcher(source), count: 2)
        #expect(summary(events) == ["start", "done"])
        let times = source.callTimes
        #expect(times[1] - times[0] >= .milliseconds(990))
    }

    @Test func repeatedGoneRightAfterListBacksOff() async throws {
        let source = ScriptedSource(
            lists: [.page([], resourceVersion: "1"), .page([], resourceVersion: "2"), .page([], resourceVersion: "3")],
            watches: [.fail(gone()), .fail(gone())])
        let events = try await firstEvents(watcher(source), count: 6)
        #expect(summary(events) == ["start", "done", "start", "done", "start", "done"])
        let times = source.callTimes
        // list, watch(410), [backoff] list, watch(410), [backoff] list
        #expect(times[2] - times[1] >= .milliseconds(19))
    }

    @Test func expiredContinueTokenRestartsTheList() async throws {
        let source = ScriptedSource(
            lists: [
                .page([.make("a", rv: "1")], resourceVersion: "5", continue: "t1"),
                .fail(gone()),
                .page([.make("a", rv: "1"), .make("b", rv: "2")], resourceVersion: "6"),
            ],
            watches: [])
        let events = try await firstEvents(watcher(source, pageSize: 1), count: 6)
        #expect(summary(events) == ["start", "init:a@1", "start", "init:a@1", "init:b@2", "done"])
    }
}
