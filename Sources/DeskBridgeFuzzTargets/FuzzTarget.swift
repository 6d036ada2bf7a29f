import DeskBridgeConfig
import DeskBridgeCore
import Foundation

/// Every parser of outside input, as one entry each for libFuzzer (`scripts/fuzz`) and for the
/// regression test that replays the seed corpus and every input a fuzzer ever broke.
///
/// An entry must never crash, hang or trip a sanitizer, whatever the bytes; it answers whether
/// the input was accepted, so the regression test can also check a known input's verdict.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// A Google webhook body (`POST /webhooks/business-messages`).
    case webhook
    /// A UserSig (TLS sig v2) on the desk APIs.
    case usersig
    /// A desk `MsgBody`, its custom messages, and their translation to Google.
    case msgbody
    /// An answer's Markdown, converted to Google's rich text.
    case markdown
    /// A `condition` node's expression, parsed and evaluated.
    case condition
    /// A `${…}` template.
    case template
    /// A whole `deskbridge.yaml`.
    case config
    /// `X-Forwarded-For` behind a trusted proxy, and `server.trustedProxies` entries.
    case forwardedFor
    /// A chip's `postbackData`.
    case postback

    private static let secret = "fuzz-secret"
    private static let sdkAppId = 1_400_000_000
    private static let bot = Representative(.BOT, displayName: "Fuzz", avatarImage: nil)
    /// The shipped configuration's secrets, so that it loads; the folder is only checked, never written.
    private static let environment = ["DESK_SECRET": "s", "BM_TOKEN": "t", "BM_CLIENT_TOKEN": "c"]
    private static let configFolder = FileManager.default.temporaryDirectory.appendingPathComponent("deskbridge-fuzz/config")
    /// Fixed entries of the forms `server.trustedProxies` documents. Were one ever refused, the
    /// target accepts nothing and `FuzzRegressionTests` (which expects a forwarded address) fails.
    private static let proxies = try? TrustedProxies(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"])

    /// Runs one input through the parser; true if it was accepted.
    @discardableResult
    package func run(_ data: Data) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .webhook:
            return (try? WebhookBody.decode(data)) != nil
        case .usersig:
            do {
                try UserSig.verify(text, identifier: "administrator", sdkAppId: Self.sdkAppId, secretKey: Self.secret, now: 1_700_000_000)
                return true
            } catch {
                return false
            }
        case .msgbody:
            guard let body = try? JSONDecoder().decode([MsgElement].self, from: data) else { return false }
            let parsed = body.map { element -> DeskCustomMessage? in
                if case .custom(let custom) = element { DeskCustomMessage(data: custom.Data) } else { nil }
            }
            let rendering = TencentToGoogle.render(body, parsed: parsed, msgKey: "1_fuzz_1", as: Self.bot, offerLiveAgent: true)
            return !rendering.messages.isEmpty
        case .markdown:
            return !MarkdownToRichText.convert(text).isEmpty && !MarkdownToRichText.plainText(text).isEmpty
        case .condition:
            guard let expression = try? ConditionExpression.parse(text) else { return false }
            _ = expression.evaluate(["Status": "shipped", "Eta": "3", "Course": "Chinese", "a": "1"])
            return true
        case .template:
            let names = Template.variableNames(in: text)
            _ = Template.render(text, ["UserName": "Rosa", "WaitNo": "2", "QueuePosition": "3"])
            return !names.isEmpty
        case .config:
            if case .success = ConfigLoader.parse(yaml: text, directory: Self.configFolder, environment: Self.environment) {
                return true
            }
            return false
        case .forwardedFor:
            _ = try? TrustedProxies([text])
            guard let proxies = Self.proxies else { return false }
            return proxies.clientAddress(peer: "127.0.0.1", forwardedFor: text) != "127.0.0.1"
        case .postback:
            return Postback(text) != nil
        }
    }
}
