import Foundation
import TestSupport
import Testing

@testable import HTTPAPI

@Suite("Webhook signatures, as the providers document them")
struct WebhookSignatureTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// GitHub's published test values ("Validating webhook deliveries"): secret "It's a Secret to Everybody",
    /// payload "Hello, World!", X-Hub-Signature-256 sha256=757107ea…3e17 (also checked with Python's hmac module).
    @Test func gitHubPublishedTestVector() {
        let body = Self.bytes("Hello, World!")
        let secret = Self.bytes("It's a Secret to Everybody")
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookSignature.gitHub(header: header, body: body, secrets: [secret]))
        #expect(WebhookSignature.hmacHex(body: body, secret: secret) == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        // Rotation: any configured secret may match.
        #expect(WebhookSignature.gitHub(header: header, body: body, secrets: [Self.bytes("new"), secret]))
        // Wrong secret, changed body, wrong prefix, the SHA-1 header's form, bad hex, missing header.
        #expect(!WebhookSignature.gitHub(header: header, body: body, secrets: [Self.bytes("It's a Secret to Everybody!")]))
        #expect(!WebhookSignature.gitHub(header: header, body: Self.bytes("Hello, World?"), secrets: [secret]))
        #expect(!WebhookSignature.gitHub(header: "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", body: body, secrets: [secret]))
        #expect(!WebhookSignature.gitHub(header: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1", body: body, secrets: [secret]))
        #expect(!WebhookSignature.gitHub(header: "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", body: body, secrets: [secret]))
        #expect(!WebhookSignature.gitHub(header: nil, body: body, secrets: [secret]))
    }

    /// PagerDuty v3: `v1=<hex>` signatures, comma-separated while a secret rotates. Expected values computed with
    /// Python: hmac.new(b"pd-secret-new", body, hashlib.sha256).hexdigest() (and pd-secret-old).
    @Test func pagerDutySeveralSignatures() {
        let body = Self.bytes(WebhookFixtures.pagerDutyBody)
        let new = "v1=d61f579c3ff2d495d663d9534e7ac56be5710f59c53328f195fe904220695561"
        let old = "v1=14c99776ab2a4172c0b43e5c09be1fb18ec977be6ee5046a1dc0b4284a30f8ad"
        #expect(WebhookSignature.pagerDuty(header: new, body: body, secrets: [Self.bytes("pd-secret-new")]))
        #expect(WebhookSignature.pagerDuty(header: "\(old),\(new)", body: body, secrets: [Self.bytes("pd-secret-new")]))
        #expect(WebhookSignature.pagerDuty(header: "\(old), \(new)", body: body, secrets: [Self.bytes("pd-secret-old")]))
        #expect(!WebhookSignature.pagerDuty(header: old, body: body, secrets: [Self.bytes("pd-secret-new")]))
        #expect(!WebhookSignature.pagerDuty(header: new.replacingOccurrences(of: "v1=", with: "v0="), body: body, secrets: [Self.bytes("pd-secret-new")]))
        #expect(!WebhookSignature.pagerDuty(header: nil, body: body, secrets: [Self.bytes("pd-secret-new")]))
    }

    @Test func tokensAndBearer() {
        #expect(WebhookSignature.token("s3cret", secrets: [Self.bytes("other"), Self.bytes("s3cret")]))
        #expect(!WebhookSignature.token("s3cre", secrets: [Self.bytes("s3cret")]))
        #expect(!WebhookSignature.token("", secrets: [Self.bytes("s3cret")]))
        #expect(WebhookSignature.bearer("Bearer abc") == "abc")
        #expect(WebhookSignature.bearer("bearer  abc ") == "abc")
        #expect(WebhookSignature.bearer("Basic abc") == nil)
        #expect(WebhookProvider.gitLabKind("Merge Request Hook") == "merge_request")
        #expect(WebhookProvider.gitLabKind("Push Hook") == "push")
    }
}
