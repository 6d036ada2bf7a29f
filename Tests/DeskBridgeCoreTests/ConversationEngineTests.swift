import DeskBridgeCore
import Foundation
import Testing

@Suite("Conversation engine: flow, ownership and routing together")
struct ConversationEngineTests {
    let engine = EngineFixture.engine
    let now = EngineFixture.now

    func ctx(_ routing: RoutingSnapshot = EngineFixture.routing(), at offset: TimeInterval = 0) -> ConversationEngine.Context {
        .init(now: now.addingTimeInterval(offset), routing: routing)
    }

    /// Messages a human holder has not seen get Google's READ receipt when it marks them read, once.
    @Test func theHoldersReadReceiptsGoOutOncePerUserMessage() throws {
        let held = engine.handle(EngineFixture.text("human"), state: engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state, context: ctx())
        #expect(held.state.session?.ownership.holder == "lena@acme.example")
        let message = EngineFixture.text("Where is my parcel?")
        guard case .message(let text) = message.payload else { Issue.record("not a message"); return }
        let said = engine.handle(message, state: held.state, context: ctx(EngineFixture.routing(lenaLoad: 1)))
        #expect(throws: DeskCommandError.notHolder) { try engine.markRead(by: "omar@acme.example", state: said.state, context: ctx()) }
        let read = try engine.markRead(by: "lena@acme.example", state: said.state, context: ctx())
        let receipts = read.effects.compactMap { if case .google(let call) = $0 { call } else { nil } }
        #expect(receipts == [.readReceipt(messageId: text.messageId)])
        #expect(receipts.first?.request(conversationId: "conv-1").method == "PATCH")
        #expect(receipts.first?.request(conversationId: "conv-1").path == "/v1/conversations/conv-1/messages/\(text.messageId)/receipt")
        #expect(try receipts.first?.encodedBody() == Data(#"{"receiptType":"READ"}"#.utf8))
        #expect(try engine.markRead(by: "lena@acme.example", state: read.state, context: ctx()).effects.isEmpty, "nothing twice")
    }

    /// `SessionEnd` says who ended the session, as Tencent's SDK does (`closeBy`), and so do the records.
    @Test func theSessionEndSaysWhoEndedIt() throws {
        let held = engine.handle(EngineFixture.text("human"), state: engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state, context: ctx())
        func closeBy(_ step: ConversationEngine.Step) -> String? {
            step.effects.compactMap { if case .notify(let n) = $0, n.Event == "SessionEnd" || n.Event == "SessionTimeout" { n.CloseBy } else { nil } }.first
        }
        func archived(_ step: ConversationEngine.Step) -> String? {
            step.effects.compactMap { if case .archive(let summary) = $0 { summary.closeBy } else { nil } }.first
        }
        let bySeat = try engine.endSession(by: "lena@acme.example", state: held.state, context: ctx())
        #expect(closeBy(bySeat) == "seat" && archived(bySeat) == "seat")
        #expect(closeBy(try engine.endSession(by: nil, state: held.state, context: ctx())) == "admin")
        let idle = try #require(held.state.session?.idleDeadline)
        #expect(closeBy(engine.tick(state: held.state, context: .init(now: idle, routing: EngineFixture.routing()))) == "timer")
    }

    @Test func firstMessageStartsASessionWithWelcomeAndMenu() throws {
        let step = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx())
        #expect(step.effects.lines == ["BOT: Hello Rosa!", "BOT: How can we help?"])
        #expect(step.effects.compactMap(\.sessionEvent) == ["SessionBegin", "ChatBot.UserSendMsg", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg"])
        let menu = try #require(step.effects.compactMap(\.googleMessage).last)
        #expect(menu.suggestions?.count == 3, "two items and the live-agent chip")
        #expect(step.state.session?.flow.waitingAt == "menu")
        #expect(menu.messageId.hasPrefix("tx-"))
    }

    @Test func exactTextChipTapAndKeywordAllSelect() throws {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let byText = engine.handle(EngineFixture.text("Opening hours"), state: start, context: ctx())
        #expect(byText.effects.lines == ["BOT: We are open 9 to 18."])
        #expect(byText.state.session == nil, "the flow reached its end node")

        let ref = try #require(start.session?.flow.menuRef)
        let byChip = engine.handle(EngineFixture.chip("td1:b:\(ref):0", "Opening hours"), state: start, context: ctx())
        #expect(byChip.effects.lines == ["BOT: We are open 9 to 18."])

        let byKeyword = engine.handle(EngineFixture.text("HUMAN"), state: start, context: ctx())
        #expect(byKeyword.effects.lines.first == "BOT: Connecting…")
    }

    @Test func anythingElseGetsTheErrorPromptAndTheMenuAgain() {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let step = engine.handle(EngineFixture.text("opening hours"), state: start, context: ctx())
        #expect(step.effects.lines == ["BOT: Please pick an option.", "BOT: How can we help?"], "strict equality, as Tencent does")
        #expect(step.state.session?.flow.waitingAt == "menu")
    }

    @Test func aStaleChipFallsBackToItsText() {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let step = engine.handle(EngineFixture.chip("td1:b:000000000000:1", "Talk to a person"), state: start, context: ctx())
        #expect(step.effects.lines.first == "BOT: Connecting…")
    }

    @Test func onlyAStepThatRoutesAsksForARoutingSnapshot() throws {
        let withoutRouting = ConversationEngine.Context(now: now, routing: nil)
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: withoutRouting)
        #expect(!start.needsRouting, "a greeting never looks at agents")
        #expect(!engine.handle(EngineFixture.text("Opening hours"), state: start.state, context: withoutRouting).needsRouting)

        let blind = engine.handle(EngineFixture.text("Talk to a person"), state: start.state, context: withoutRouting)
        #expect(blind.needsRouting, "a transfer computed without agents must be computed again")
        let routed = engine.handle(EngineFixture.text("Talk to a person"), state: start.state, context: ctx())
        #expect(!routed.needsRouting)
        #expect(routed.state.session?.ownership.owner == .agent("lena@acme.example"))
    }

    @Test func transferAssignsJoinedBeforeHumanAndLeftBeforeClosure() throws {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let transfer = engine.handle(EngineFixture.text("Talk to a person"), state: start, context: ctx())
        #expect(transfer.effects.lines == ["BOT: Connecting…", "+lena@acme.example", "JOINED Lena", "BOT: You are chatting with Lena (1001)."])
        #expect(transfer.effects.compactMap(\.sessionEvent) == ["ChatBot.UserSendMsg", "Transfer.Requested", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg", "Transfer.Succeeded"])
        #expect(transfer.state.session?.ownership.owner == .agent("lena@acme.example"))

        let reply = try engine.send([.text("Hi, I am Lena")], cloudCustomData: nil, from: "lena@acme.example", state: transfer.state, context: ctx())
        #expect(reply.effects.lines == ["HUMAN Lena: Hi, I am Lena"])
        #expect(reply.effects.compactMap(\.googleMessage).first?.representative.avatarImage == "https://cdn.example/lena.png")
        #expect(reply.sent != nil)

        let userReply = engine.handle(EngineFixture.text("thanks"), state: reply.state, context: ctx())
        #expect(userReply.effects.lines == [], "user messages in a human segment go to the agent, not the flow")
        #expect(userReply.effects.compactMap(\.sessionEvent) == ["Agent.UserSendMsg"])

        let end = try engine.endSession(by: "lena@acme.example", state: userReply.state, context: ctx())
        #expect(end.effects.lines == ["LEFT Lena", "-lena@acme.example", "BOT: Chat ended.", "BOT: How would you rate this chat?"])
        #expect(end.effects.compactMap(\.sessionEvent).last == "SessionEnd")
        #expect(end.state.session == nil)

        let again = engine.handle(EngineFixture.text("hello again"), state: end.state, context: ctx())
        #expect(again.effects.lines == ["BOT: Hello Rosa!", "BOT: How can we help?"])
        #expect(again.state.sessionCount == 2)
        #expect(again.state.session?.id != start.session?.id)
    }

    @Test func refusalsChangeNothing() throws {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        #expect(throws: DeskCommandError.notHolder) {
            try engine.send([.text("hello")], cloudCustomData: nil, from: "lena@acme.example", state: start, context: ctx())
        }
        let assigned = engine.handle(EngineFixture.text("Talk to a person"), state: start, context: ctx()).state
        #expect(throws: DeskCommandError.notHolder) {
            try engine.send([.text("hello")], cloudCustomData: nil, from: "omar@acme.example", state: assigned, context: ctx())
        }
        #expect(throws: DeskCommandError.notHolder) { try engine.endSession(by: "omar@acme.example", state: assigned, context: ctx()) }
        let ended = try engine.endSession(by: nil, state: assigned, context: ctx()).state
        #expect(throws: DeskCommandError.notAllowedInState("NotInSession")) {
            try engine.send([.text("late")], cloudCustomData: nil, from: "lena@acme.example", state: ended, context: ctx())
        }
    }

    @Test func adminSendsAsBOTInAnyPhase() throws {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let step = try engine.send([.text("Maintenance tonight")], cloudCustomData: nil, from: nil, state: start, context: ctx())
        #expect(step.effects.lines == ["BOT: Maintenance tonight"])
    }

    @Test func everyoneBusyQueuesWithThePosition() {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let routing = EngineFixture.routing(lenaLoad: 1, queued: 2)
        let step = engine.handle(EngineFixture.text("Talk to a person"), state: start, context: ctx(routing))
        #expect(step.effects.lines == ["BOT: Connecting…"], "the position comes from the queue drain, which knows the order")
        #expect(step.state.queuePosition?.group == 1)

        let announced = engine.retryAssignment(state: step.state, position: 3, context: ctx(routing))
        #expect(announced.effects.lines == ["BOT: You are number 3; 2 ahead."])
        let stillBusy = engine.retryAssignment(state: announced.state, position: 3, context: ctx(routing, at: 10))
        #expect(stillBusy.effects.isEmpty)
        let freed = engine.retryAssignment(state: announced.state, context: ctx(EngineFixture.routing()))
        #expect(freed.effects.lines == ["+lena@acme.example", "JOINED Lena", "BOT: You are chatting with Lena (1001)."])
        #expect(freed.state.queuePosition == nil)
    }

    @Test func nobodyOnlineFailsTheTransferAndTheFlowContinues() {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let step = engine.handle(EngineFixture.text("Talk to a person"), state: start, context: ctx(EngineFixture.routing(lena: .Offline)))
        #expect(step.effects.lines == ["BOT: Connecting…", "BOT: Nobody is online."])
        #expect(step.effects.compactMap(\.sessionEvent).contains("Transfer.Failed"))
        #expect(step.state.session == nil, "transfer.next is the end node")
    }

    @Test func liveAgentRequestStartsASessionAndGoesStraightToTransfer() {
        let step = engine.handle(EngineFixture.liveAgent, state: nil, context: ctx())
        #expect(step.effects.lines == ["BOT: Connecting…", "+lena@acme.example", "JOINED Lena", "BOT: You are chatting with Lena (1001)."])
    }

    @Test func typingIsReportedAtMostEveryThreeSecondsPerValue() {
        let start = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx()).state
        let first = engine.handle(EngineFixture.typing(true), state: start, context: ctx(at: 0))
        #expect(first.effects.compactMap(\.sessionEvent) == ["User.Typing"])
        let tooSoon = engine.handle(EngineFixture.typing(true), state: first.state, context: ctx(at: 2.999))
        #expect(tooSoon.effects.isEmpty)
        let stop = engine.handle(EngineFixture.typing(false), state: tooSoon.state, context: ctx(at: 2.999))
        #expect(stop.effects.compactMap(\.sessionEvent) == ["User.Typing"])
        let later = engine.handle(EngineFixture.typing(true), state: stop.state, context: ctx(at: 3))
        #expect(later.effects.compactMap(\.sessionEvent) == ["User.Typing"])
    }

    @Test func idsAreDeterministicForTheSameStateAndTime() {
        let a = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx())
        let b = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx())
        #expect(a.effects.compactMap(\.googleMessage).map(\.messageId) == b.effects.compactMap(\.googleMessage).map(\.messageId))
        #expect(a.state.session?.id == b.state.session?.id)
    }
}
