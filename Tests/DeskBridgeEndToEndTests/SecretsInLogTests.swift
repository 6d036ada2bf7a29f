import DeskBridgeTestSupport
import Foundation
import Testing

/// No log level prints a secret (CONTRACT §5.4): a whole conversation at `trace`, with every
/// configured secret set, leaves none of them in the output.
@Suite("Secrets stay out of the log", .serialized)
struct SecretsInLogTests {
    @Test func aFullConversationAtTraceLogsNoConfiguredSecret() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start(environment: ["LOG_LEVEL": "trace"])
            defer { service.terminate() }
            let conversation = "conv-trace"
            let user = Wire.clientUserId(conversation)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: conversation)).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("human", conversation: conversation)).status == 200)
            #expect(await deployment.google.waitForCalls(5))
            let sent = try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: "lena@acme.example",
                                           ["To_Account": user, "MsgRandom": 1, "MsgBody": Wire.textBody("Hello from Lena")])
            #expect(sent["ErrorCode"] as? Int == 0)
            #expect(await deployment.google.waitForCalls(6))
            let business = deployment.business
            #expect(try await eventually { business.requests.count >= 5 })
            #expect(service.terminate() == 0)

            let log = service.log
            #expect(log.contains("trace") || log.contains("debug"), "the service really logged at a verbose level")
            for secret in [Wire.deskSecret, "cb-token", "test-bearer", Wire.clientToken, "PARTNERKEY2"] {
                #expect(!log.contains(secret), "\(secret.prefix(3))… appears in the trace log")
            }
        }
    }
}
