import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("A flow with every node type, through `deskbridge serve`", .serialized)
struct EveryNodeFlowTests {
    @Test func messageBranchCollectInterfaceConditionChatbotServiceTimeTransfer() async throws {
        try await Deployment.with(flows: { TestConfig.everyNodeFlow(interfaceURL: $0 + "/order") }) { deployment throws in
            deployment.business.answer { request, _ in request.path == "/order" ? .status(200, #"{"Status":"shipped","Carrier":"DHL"}"#) : .status(200) }
            let service = try await deployment.start()
            defer { service.terminate() }
            let google = deployment.google
            let conversation = "conv-nodes"
            func say(_ text: String) async throws {
                #expect(try await HTTP.webhook(service.baseURL, Wire.text(text, conversation: conversation)).status == 200)
            }

            try await say("hi")
            #expect(await google.waitForCalls(2))
            try await say("Track an order")
            #expect(await google.waitForCalls(3))
            try await say("A-7781")
            #expect(await google.waitForCalls(4))
            let sizes = try #require(google.calls[3].json?["suggestions"] as? [[String: Any]])
            let medium = try #require(sizes.compactMap { $0["reply"] as? [String: String] }.first { $0["text"] == "M" })
            #expect(try await HTTP.webhook(service.baseURL, Wire.chip(medium["postbackData"]!, text: "M", conversation: conversation)).status == 200)
            #expect(await google.waitForCalls(6))
            try await say("how do returns work")
            #expect(await google.waitForCalls(7))
            try await say("Something else entirely")
            #expect(await google.waitForCalls(10))

            #expect(google.calls.map(\.line) == [
                "BOT: Hello Rosa!",
                "BOT: How can we help?",
                "BOT: Your order number?",
                "BOT: Which size?",
                "BOT: Order A-7781 (M) is on its way.",
                "BOT: Popular questions",
                "BOT: **Free** returns within [30 days](https://shop.example/returns).",
                "BOT: Connecting…",
                "JOINED Lena",
                "BOT: You are chatting with Lena.",
            ])
            #expect(google.calls[6].json?["containsRichText"] as? Bool == true)
            #expect(google.calls[6].json?["fallback"] as? String == "Free returns within 30 days (https://shop.example/returns).")

            let call = try #require(deployment.business.requests.first { $0.path == "/order" })
            let session = try #require(call.json?["Session"] as? String)
            #expect(call.json as? [String: String] == ["OrderNo": "A-7781", "Size": "M", "Session": session])
            #expect(call.headers["content-type"] == "application/json; charset=utf-8")
        }
    }
}
