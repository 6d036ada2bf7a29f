import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The reads behind the workbench as Tencent-style desk APIs: an agent's sessions and its
/// groups' queue, a transcript page by page, quick replies, free agents, and who may read what.
@Suite("Desk APIs for an agent's own front end")
struct AgentDeskAPITests {
    let lena = "lena@acme.example"
    let omar = "omar@acme.example"

    func call(_ app: AppHarness, _ path: String, as identity: String, _ body: [String: Any] = [:]) async throws -> [String: Any] {
        try await app.desk("/v4/desk_http_svc/\(path)", query: Wire.deskQuery(identifier: identity), Wire.json(body))
    }

    @Test func anAgentReadsItsSessionsItsQueueAndATranscriptPageByPage() async throws {
        try await AppHarness.run { app throws in
            // Four users ask for a person; Lena (limit 3) holds three, the fourth waits in the queue.
            for index in 1...4 {
                for text in ["hi", "human"] {
                    let body = Wire.text(text, conversation: "ad-\(index)")
                    #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
                }
                let user = ClientUserID(Wire.clientUserId("ad-\(index)"))
                let expected = index <= 3 ? "Agent" : "Queueing"
                #expect(try await eventually { try await app.store.conversation(clientUserId: user)?.state?.session?.deskState == expected })
            }
            let mine = try await call(app, "get_agent_sessions", as: lena)
            #expect(mine["ErrorCode"] as? Int == 0)
            #expect((mine["AgentSessions"] as? [[String: Any]])?.map { $0["State"] as? String } == ["Agent", "Agent", "Agent"])
            let queued = try #require(mine["QueuedSessions"] as? [[String: Any]])
            #expect(queued.map { $0["ClientUserId"] as? String } == [Wire.clientUserId("ad-4")])
            #expect((mine["SkillGroups"] as? [[String: Any]])?.first?["WaitingCount"] as? Int == 1)

            let theirs = try await call(app, "get_agent_sessions", as: omar)
            #expect((theirs["AgentSessions"] as? [Any])?.isEmpty == true, "Omar holds nothing")
            #expect((theirs["QueuedSessions"] as? [Any])?.count == 1, "but sees his group's queue")
            #expect(try await call(app, "get_agent_sessions", as: omar, ["AgentId": lena])["ErrorCode"] as? Int == 120005)
            #expect(try await call(app, "get_agent_sessions", as: "administrator")["ErrorCode"] as? Int == 120003, "the admin names the agent")
            #expect((try await call(app, "get_agent_sessions", as: "administrator", ["AgentId": lena])["AgentSessions"] as? [Any])?.count == 3)

            // The transcript of Lena's first session, two messages a page, until Complete.
            let sessionId = try #require((mine["AgentSessions"] as? [[String: Any]])?.first?["SessionId"] as? String)
            var keys: [String] = [], cursor = 0, pages = 0
            while pages < 20 {
                let page = try await call(app, "get_session_messages", as: lena, ["SessionId": sessionId, "Cursor": cursor, "Limit": 2])
                #expect(page["ErrorCode"] as? Int == 0)
                let messages = try #require(page["Messages"] as? [[String: Any]])
                #expect(messages.count <= 2)
                keys += messages.compactMap { $0["MsgKey"] as? String }
                pages += 1
                if page["Complete"] as? Int == 1 { #expect(page["NextCursor"] == nil); break }
                cursor = try #require(page["NextCursor"] as? Int)
            }
            let whole = try await app.store.records(try #require(try await app.store.conversation(sessionId: SessionID(sessionId))).key)
            #expect(keys == whole.messages.filter { $0.session.rawValue == sessionId }.map(\.msgKey), "every message once, in order")
            #expect(pages >= 2)
            #expect(try await call(app, "get_session_messages", as: omar, ["SessionId": sessionId])["ErrorCode"] as? Int == 120001,
                    "Omar may not read Lena's session")
            #expect(try await call(app, "get_session_messages", as: lena, ["SessionId": sessionId, "Limit": 500])["ErrorCode"] as? Int == 90001)
        }
    }

    @Test func quickRepliesAndFreeAgentsForATransfer() async throws {
        try await AppHarness.run { app throws in
            let replies = try await call(app, "get_quick_replies", as: lena, ["Keyword": "open"])
            #expect((replies["QuickReplies"] as? [[String: Any]])?.map { $0["Group"] as? String } == ["Hours"])
            #expect((try await call(app, "get_quick_replies", as: lena)["QuickReplies"] as? [Any])?.count == 2)

            #expect((try await call(app, "get_free_agents", as: lena, ["AgentGroupId": 1])["FreeAgents"] as? [Any])?.isEmpty == true, "Omar is offline")
            #expect(try await call(app, "set_agent_status", as: omar, ["AgentId": omar, "Status": "Available"])["ErrorCode"] as? Int == 0)
            let free = try #require(try await call(app, "get_free_agents", as: lena, ["AgentGroupId": 1])["FreeAgents"] as? [[String: Any]])
            #expect(free.map { $0["AgentId"] as? String } == [omar], "the caller is left out")
            #expect(free.first?["ReceptionLimit"] as? Int == 3 && free.first?["Load"] as? Int == 0)
            #expect(try await call(app, "get_free_agents", as: lena, ["AgentGroupId": 9])["ErrorCode"] as? Int == 120003)
            #expect(try await call(app, "contact_user", as: "administrator", ["ClientUserId": "web_x"])["ErrorCode"] as? Int == 120005,
                    "only an agent starts a chat")
        }
    }
}
