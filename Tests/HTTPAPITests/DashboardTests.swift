import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Dashboard page", .enabled(if: TestDatabase.enabled))
struct DashboardTests {
    @Test func servedAtRootAndDashboardSelfContained() async throws {
        try await MetricsTestApp.run(fixture: false) { client, _ in
            let root = try await client.execute(uri: "/", method: .get)
            #expect(root.status == .ok)
            #expect(root.headers[.contentType] == "text/html; charset=utf-8")
            let page = root.text
            #expect(page.hasPrefix("<!doctype html>"))
            #expect(try await client.execute(uri: "/dashboard", method: .get).text == page)
            // Nothing from another host: no absolute URLs, no external scripts, styles or images.
            #expect(page.firstMatch(of: /https?:\/\//) == nil)
            #expect(page.firstMatch(of: /\/\/[a-z0-9.-]+\.[a-z]{2,}/) == nil)
            #expect(page.firstMatch(of: /<script[^>]+src=/) == nil)
            #expect(page.firstMatch(of: /<link[^>]+href=/) == nil)
            #expect(!page.contains("@import"))
            // The hooks browser tests read, and the data it polls.
            #expect(page.contains(#"<section id="tiles""#))
            #expect(page.contains(#"["data-metric", item.metric], ["data-definition", key(item)]"#))
            #expect(page.contains(#"<table id="apps">"#))
            #expect(page.contains(#"<div id="charts""#))
            #expect(page.contains("api(\"/api/v1/metrics\")"))
            // Reads carry the token the page asked for when the API needs one (docs/security.md).
            #expect(page.contains(#"headers: token ? { "Authorization": "Bearer " + token } : {}"#))
            #expect(page.contains("?bucket=week&series=overall"))
            #expect(page.contains("setTimeout(refresh"))
        }
    }

    @Test func postToRootStillIngests() async throws {
        try await MetricsTestApp.run(fixture: false) { client, _ in
            let response = try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "application/cloudevents+json"],
                body: ByteBuffer(string: #"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#))
            #expect(response.status == .accepted)
        }
    }
}
