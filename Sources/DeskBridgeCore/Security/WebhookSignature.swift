import Crypto
import Foundation

/// Verifies `X-Goog-Signature`: base64(HMAC-SHA512(raw body, key)) (G§2.2).
///
/// Either configured key may have signed the body (`clientToken` today, the partner key in
/// older set-ups). The comparison is HMAC's own constant-time check, never `==` on strings.
package struct WebhookSignatureVerifier: Sendable {
    /// Raw key bytes (`SymmetricKey` is not `Sendable`); a key object is made per check.
    private let keys: [Data]

    package init(keys: [String]) {
        self.keys = keys.filter { !$0.isEmpty }.map { Data($0.utf8) }
    }

    /// No key configured means signatures are not checked (CONTRACT §3: "when a key is configured").
    package var isEnabled: Bool { !keys.isEmpty }

    package func isValid(signature header: String?, body: some DataProtocol) -> Bool {
        guard isEnabled else { return true }
        guard let header, let mac = Data(base64Encoded: Self.trimmingBlanks(header)) else { return false }
        var valid = false
        for key in keys where HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: key)) {
            valid = true
        }
        return valid
    }

    /// Spaces and tabs around the header value are ignored. Done by hand because trimming with a
    /// Foundation `CharacterSet` cost more than the HMAC itself, on every webhook.
    private static func trimmingBlanks(_ text: String) -> String {
        var value = Substring(text)
        while value.first == " " || value.first == "\t" { value.removeFirst() }
        while value.last == " " || value.last == "\t" { value.removeLast() }
        return String(value)
    }

    /// Signs a body the way Google does; used by tests, replay and the benchmark.
    package static func sign(body: some DataProtocol, key: String) -> String {
        Data(HMAC<SHA512>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8)))).base64EncodedString()
    }
}

/// The `Sign` query parameter on callbacks to the business server: hex(sha256(token + RequestTime)) (T§4.3).
package enum CallbackSignature {
    package static func sign(token: String, requestTime: Int64) -> String {
        Hex.sha256(token + String(requestTime))
    }
}
