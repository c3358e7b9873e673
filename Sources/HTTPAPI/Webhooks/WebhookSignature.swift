import Crypto
import Foundation

/// The checks the providers document, over the raw body. Every comparison is constant-time.
enum WebhookSignature {
    /// GitHub `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body keyed with the webhook secret.
    static func gitHub(header: String?, body: [UInt8], secrets: [[UInt8]]) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = hex(header.dropFirst("sha256=".count)) else { return false }
        return secrets.contains { validHMAC(mac, body: body, secret: $0) }
    }

    /// PagerDuty v3 `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 of the raw body keyed with the
    /// subscription's secret; several signatures while a secret is rotated, any one valid is enough.
    static func pagerDuty(header: String?, body: [UInt8], secrets: [[UInt8]]) -> Bool {
        guard let header else { return false }
        let macs = header.split(separator: ",").compactMap { part -> [UInt8]? in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("v1=") else { return nil }
            return hex(trimmed.dropFirst(3))
        }
        return macs.contains { mac in secrets.contains { validHMAC(mac, body: body, secret: $0) } }
    }

    /// A shared token sent as is (GitLab `X-Gitlab-Token`) or as `Authorization: Bearer <token>`.
    static func token(_ presented: String?, secrets: [[UInt8]]) -> Bool {
        guard let presented, !presented.isEmpty else { return false }
        let candidate = Array(presented.utf8)
        var matched = false
        for secret in secrets where TokenFile.constantTimeEquals(secret, candidate) { matched = true }
        return matched
    }

    /// The token of an `Authorization: Bearer <token>` header, or nil.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    static func validHMAC(_ mac: [UInt8], body: [UInt8], secret: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: secret))
    }

    /// Hex digest of HMAC-SHA256 (tests and documentation examples sign with it).
    static func hmacHex(body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Hex digest of SHA-256, for delivery ids derived from the body.
    static func sha256Hex(_ body: [UInt8]) -> String {
        SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    /// Bytes of a hex string (either case); nil unless it is whole hex pairs.
    static func hex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
