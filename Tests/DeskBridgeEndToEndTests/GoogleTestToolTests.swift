import DeskBridgeTestSupport
import Foundation
import Testing

/// Google's own webhook test tool (`business-messages-test-framework`) POSTs eight recorded
/// payloads, unsigned, with only `conversationId` replaced, and fails on anything but 2xx.
/// They are read from `../shared/fixtures` at run time (never copied into the repository).
@Suite("Google's webhook test tool against `deskbridge serve`", .serialized)
struct GoogleTestToolTests {
    static let folder = ServiceProcess.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/google-test-framework")
    static let names = ["authentication-request", "event-receive", "image-message", "read-receipt", "suggestion-message",
                        "text-message", "text-with-dialogflow-response", "user-receipt"]

    @Test func everyPayloadIsAnswered200WithNoWebhookKeyConfigured() async throws {
        try await Deployment.with(webhookKeys: false) { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            // The tool sends every file into one conversation; all but one carry the same
            // requestId, so after the first they are recognised as repeats: still 200.
            for name in Self.names {
                let answer = try await HTTP.post(service.baseURL + "/webhooks/business-messages", body: try Self.payload(name, conversation: "tool-run"), headers: [:])
                #expect(answer.status == 200, "\(name): \(String(decoding: answer.body, as: UTF8.self))")
            }
            // A text of the tool's shape in a conversation of its own starts the flow like any other.
            let text = try Self.payload("text-message", conversation: "tool-text").replacing(Data("REQUEST_ID".utf8), with: Data("REQUEST_2".utf8))
            #expect(try await HTTP.post(service.baseURL + "/webhooks/business-messages", body: text, headers: [:]).status == 200)
            #expect(await deployment.google.waitForCalls(2))
            #expect(deployment.google.calls.first { $0.path.hasPrefix("/v1/conversations/tool-text/") }?.line == "BOT: Hello USER_NAME!")
            #expect(service.log.contains("webhook fields unreadable"))
            #expect(service.log.contains("fields=sendTime"))
        }
    }

    static func payload(_ name: String, conversation: String) throws -> Data {
        let recorded = try String(contentsOf: folder.appendingPathComponent("\(name).json"), encoding: .utf8)
        return Data(recorded.replacingOccurrences(of: "CONVERSATION_ID", with: conversation).utf8)
    }
}
