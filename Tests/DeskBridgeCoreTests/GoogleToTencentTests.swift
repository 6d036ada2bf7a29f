import DeskBridgeCore
import Foundation
import Testing

/// Each Google payload kind, from its recorded fixture, into an open bot session: what the
/// desk side receives (the session event and its Tencent MsgBody) and what is recorded.
@Suite("Translation Google → Tencent: every payload kind")
struct GoogleToTencentTests {
    let engine = EngineFixture.engine

    /// A session already open for the fixtures' conversation, at the menu.
    func openSession() throws -> ConversationState {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("message")) else { throw CocoaError(.coderReadCorrupt) }
        var first = hook
        first.payload = .message(try JSONDecoder().decode(UserText.self, from: Data(#"{"messageId":"m-0","text":"hi"}"#.utf8)))
        return engine.handle(first, state: nil, context: .init(now: EngineFixture.now, routing: EngineFixture.routing())).state
    }

    func events(_ fixture: String, state: ConversationState? = nil) throws -> (ConversationEngine.Step, [SessionEventNotification]) {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data(fixture)) else { throw CocoaError(.coderReadCorrupt) }
        let step = engine.handle(hook, state: try state ?? openSession(), context: .init(now: EngineFixture.now.addingTimeInterval(10), routing: EngineFixture.routing()))
        let events = step.effects.compactMap { effect -> SessionEventNotification? in if case .notify(let n) = effect { n } else { nil } }
        return (step, events)
    }

    @Test func textBecomesATextElement() throws {
        let (_, events) = try events("message")
        #expect(events.first?.Event == "ChatBot.UserSendMsg")
        #expect(events.first?.MsgBody == [.text("My parcel has not arrived")])
        #expect(events.first?.ClientUserId == "gbm_2843fd21f6fc614c1a430f90edb3")
    }

    @Test func aSignedStorageURLBecomesAnImageElement() throws {
        let (_, events) = try events("image-message")
        guard case .image(let image) = events.first?.MsgBody.first else { Issue.record("not an image element"); return }
        #expect(image.originalURL?.hasPrefix("https://storage.googleapis.com/business-messages-us/") == true)
        #expect(image.ImageInfoArray.first?.Type == 1)
    }

    @Test func aChipTapGoesBackToTheExactItemTextEvenWhenTheLabelWasCut() throws {
        var state = try openSession()
        let long = "Returns and exchanges for online orders"
        let menu = try engine.send([.custom(.branch(.init(header: "Which topic?", items: [.init(content: "Delivery status"), .init(content: long)], tail: nil)))],
                                   cloudCustomData: nil, from: nil, state: state, context: .init(now: EngineFixture.now))
        state = menu.state
        let ref = try #require(state.session?.openMenu?.ref)
        let tap = #"{"agent":"brands/8f1c/agents/77aa","conversationId":"c0ffee00-1111-2222-3333-444455556666","requestId":"rq-tap","suggestionResponse":{"postbackData":"td1:b:\#(ref):1","text":"Returns and exchanges fo…","type":"REPLY"}}"#
        guard case .event(let hook) = try WebhookBody.decode(Data(tap.utf8)) else { Issue.record("not an event"); return }
        let step = engine.handle(hook, state: state, context: .init(now: EngineFixture.now, routing: EngineFixture.routing()))
        let sent = step.effects.compactMap { effect -> [MsgElement]? in if case .notify(let n) = effect, n.Event == "ChatBot.UserSendMsg" { n.MsgBody } else { nil } }
        #expect(sent == [[.text(long)]])
    }

    @Test func typingBecomesAUserTypingEvent() throws {
        let (_, events) = try events("typing-string")
        #expect(events.map(\.Event) == ["User.Typing"])
        #expect(events.first?.Typing == 1)
    }

    @Test func aLiveAgentRequestStartsATransferFromAnyPointInTheFlow() throws {
        let (step, events) = try events("live-agent")
        #expect(events.map(\.Event).prefix(2) == ["Transfer.Requested", "ChatBot.RobotSendMsg"])
        #expect(step.state.session?.ownership.owner == .agent("lena@acme.example"))
    }

    @Test func receiptsAndSurveyResponsesAreRecordedOnTheSession() throws {
        let (receipts, receiptEvents) = try events("receipts")
        #expect(receiptEvents.isEmpty)
        #expect(receipts.state.session?.receipts == [
            "conversations/c0ffee00-1111-2222-3333-444455556666/messages/bridge-tx-42": "READ",
            "conversations/c0ffee00-1111-2222-3333-444455556666/messages/bridge-tx-43": "DELIVERED",
        ])
        let (survey, _) = try events("survey-response")
        #expect(survey.state.session?.surveyAnswers == ["VERY_SATISFIED"])
        let (auth, authEvents) = try events("authentication-response")
        #expect(auth.effects.isEmpty && authEvents.isEmpty)
    }

    @Test func agentsCannotSendUserEndKinds() throws {
        var state = try openSession()
        state = engine.handle(EngineFixture.text("Talk to a person"), state: state, context: .init(now: EngineFixture.now, routing: EngineFixture.routing())).state
        for src in ["7", "10", "24", "27"] {
            #expect(throws: DeskCommandError.self, "src \(src)") {
                try engine.send([.custom(.init(data: #"{"customerServicePlugin":0,"src":"\#(src)","menuSelected":{"id":"1","content":"x","sessionId":"s"}}"#))],
                                cloudCustomData: nil, from: "lena@acme.example", state: state, context: .init(now: EngineFixture.now))
            }
        }
    }

    @Test func controlKindsFromTheAgentDriveTheOwnershipStateMachine() throws {
        var state = try openSession()
        state = engine.handle(EngineFixture.text("Talk to a person"), state: state, context: .init(now: EngineFixture.now, routing: EngineFixture.routing())).state
        let typing = try engine.send([.custom(.agentTyping)], cloudCustomData: nil, from: "lena@acme.example", state: state, context: .init(now: EngineFixture.now))
        #expect(typing.effects.lines == ["TYPING_STARTED Lena"])
        let ended = try engine.send([.custom(.sessionEnded)], cloudCustomData: nil, from: "lena@acme.example", state: state, context: .init(now: EngineFixture.now))
        #expect(ended.effects.lines == ["LEFT Lena", "-lena@acme.example", "BOT: Chat ended.", "BOT: How would you rate this chat?"])
        #expect(ended.state.session == nil)
        let left = try engine.send([.custom(.seatStatus(inSeat: false))], cloudCustomData: nil, from: "lena@acme.example", state: state, context: .init(now: EngineFixture.now))
        #expect(left.effects.lines == ["LEFT Lena", "-lena@acme.example", "BOT: How would you rate this chat?"],
                "the flow resumes after the transfer (its next is the end node), and the human session is rated")
    }
}
