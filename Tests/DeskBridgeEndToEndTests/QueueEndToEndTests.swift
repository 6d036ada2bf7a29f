import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("The queue through `deskbridge serve`", .serialized)
struct QueueEndToEndTests {
    @Test func queuedSessionsDrainAsAgentsFreeUpOrComeOnline() async throws {
        try await Deployment.with(receptionLimit: 1) { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let conversations = ["q-1", "q-2", "q-3"]
            for (index, id) in conversations.enumerated() {
                #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: id)).status == 200)
                #expect(try await HTTP.webhook(service.baseURL, Wire.text("Talk to a person", conversation: id)).status == 200)
                // One at a time, so the queue order is the order they asked in.
                #expect(try await eventually { try await state(service, id) != "Chatbot" }, "\(index)")
            }
            #expect(try await state(service, "q-1") == "Agent")
            #expect(try await state(service, "q-2") == "Queueing")
            #expect(try await state(service, "q-3") == "Queueing")
            let google = deployment.google
            let prompts: @Sendable (String) -> [String] = { id in google.calls.filter { $0.conversation == id }.map(\.line).filter { $0.contains("You are number") } }
            #expect(try await eventually { prompts("q-2") == ["BOT: You are number 1."] && prompts("q-3") == ["BOT: You are number 2."] })

            // Lena's capacity frees up: the oldest waiting session gets her at once.
            let first = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": Wire.clientUserId("q-1")])
            #expect(try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/end_session", as: "lena@acme.example", ["SessionId": first["SessionId"]!])["ErrorCode"] as? Int == 0)
            // (A release racing a drain pass once let q-3 jump ahead of q-2: FIFO per group now holds.)
            #expect(try await eventually { try await state(service, "q-2") == "Agent" })
            #expect(try await state(service, "q-3") == "Queueing")

            // Another agent comes online: nobody is left waiting while an agent has room.
            #expect(try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/set_agent_status", as: "omar@acme.example",
                                        ["AgentId": "omar@acme.example", "Status": "Available"])["ErrorCode"] as? Int == 0)
            #expect(try await eventually { try await state(service, "q-3") == "Agent" })
            let joined: @Sendable () -> [String] = { google.calls.filter { $0.conversation == "q-3" }.map(\.line).filter { $0.hasPrefix("JOINED") } }
            #expect(try await eventually { joined() == ["JOINED Omar"] })
            #expect(prompts("q-3") == ["BOT: You are number 2."], "q-3 moved to position 1 less than 5 s later: not announced again")
        }
    }

    func state(_ service: ServiceProcess, _ conversation: String) async throws -> String? {
        try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": Wire.clientUserId(conversation)])["CurrentState"] as? String
    }
}
