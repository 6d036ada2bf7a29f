import DeskBridgeConfig
import DeskBridgeCore
import Foundation
import Testing

/// `desk.proactive`: an agent starts a chat with a website visitor; the session waits
/// `timeoutSeconds` for the visitor's first answer, then closes.
@Suite("Proactive contact")
struct ProactiveContactTests {
    static func engine(enabled: Bool) -> ConversationEngine {
        let yaml = EngineFixture.yaml.replacingOccurrences(of: "desk:\n", with: "desk:\n  proactive: { enabled: \(enabled), timeoutSeconds: 120 }\n")
        return ConversationEngine(config: try! ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config)
    }

    /// Proactive contact as the desk settings give it (seeded from the YAML above).
    static let on = DeskConfig.Proactive(enabled: true, timeoutSeconds: 120)
    static let off = DeskConfig.Proactive(enabled: false, timeoutSeconds: 120)

    let visitor = ConversationState(key: ConversationKey(agent: "web/shop-web", conversationId: "0f8e3c1a-6b2d-4c9e-9a7f-3d2b1c0e9f8a"))
    let lena = AgentID("lena@acme.example")
    let now = EngineFixture.now

    func context(_ seconds: TimeInterval, lena status: DeskConfig.AgentStatus = .Available, load: Int = 0) -> ConversationEngine.Context {
        .init(now: now.addingTimeInterval(seconds), routing: EngineFixture.routing(lena: status, lenaLoad: load))
    }

    @Test func theAgentJoinsAtOnceAndTheChatWaitsItsOwnTimeForTheVisitor() throws {
        let engine = Self.engine(enabled: true)
        let started = try engine.contact(by: lena, proactive: Self.on, state: visitor, context: context(0))
        #expect(started.effects.lines == ["+lena@acme.example", "JOINED Lena", "BOT: You are chatting with Lena (1001)."])
        #expect(started.state.session?.ownership.holder == lena)
        #expect(!started.effects.contains { $0.googleMessage?.text?.hasPrefix("Hello") == true }, "no bot welcome in a chat the agent began")
        #expect(started.effects.compactMap(\.sessionEvent).prefix(1) == ["SessionBegin"])

        // Lena writes first; the deadline stays the proactive one, not closure.userTimeoutSeconds.
        let wrote = try engine.send([.text("Can I help with your order?")], cloudCustomData: nil, from: lena, state: started.state, context: context(10))
        #expect(wrote.state.session?.idleDeadline == now.addingTimeInterval(120))

        // Nobody answers: at the deadline the chat closes by the timer, and Lena is free again.
        let closed = engine.tick(state: wrote.state, context: context(121))
        #expect(closed.state.session == nil)
        #expect(closed.effects.lines.contains("-lena@acme.example"))
        #expect(closed.effects.compactMap(\.sessionEvent).contains("SessionTimeout"))
    }

    @Test func aVisitorWhoAnswersIsServedAsUsual() throws {
        let engine = Self.engine(enabled: true)
        let started = try engine.contact(by: lena, proactive: Self.on, state: visitor, context: context(0))
        let hook = EngineFixture.webhook(#""message":{"messageId":"m-1","text":"yes please"}"#, conversation: visitor.key.conversationId)
        var answer = hook
        answer.agent = visitor.key.agent
        let answered = engine.handle(answer, state: started.state, context: context(60))
        #expect(answered.state.session?.proactiveUntil == nil)
        let reply = try engine.send([.text("On its way.")], cloudCustomData: nil, from: lena, state: answered.state, context: context(70))
        #expect(reply.state.session?.idleDeadline == now.addingTimeInterval(70 + 900), "now closure.userTimeoutSeconds")
    }

    @Test func contactIsRefusedWhenOffForGoogleUsersInASessionOrWithoutRoom() throws {
        #expect(throws: DeskCommandError.notAllowedInState("ProactiveContactOff")) {
            try Self.engine(enabled: true).contact(by: lena, proactive: Self.off, state: visitor, context: context(0))
        }
        let engine = Self.engine(enabled: true)
        #expect(throws: DeskCommandError.notAllowedInState("NotAWebsiteVisitor")) {
            try engine.contact(by: lena, proactive: Self.on, state: ConversationState(key: ConversationKey(agent: "brands/b/agents/a", conversationId: "conv-1")), context: context(0))
        }
        let open = try engine.contact(by: lena, proactive: Self.on, state: visitor, context: context(0)).state
        #expect(throws: DeskCommandError.notAllowedInState("Agent")) { try engine.contact(by: lena, proactive: Self.on, state: open, context: context(1)) }
        #expect(throws: DeskCommandError.notAllowedInState("AgentNotAvailable")) { try engine.contact(by: lena, proactive: Self.on, state: visitor, context: context(0, lena: .Busy)) }
        #expect(throws: DeskCommandError.notAllowedInState("AgentNotAvailable")) { try engine.contact(by: lena, proactive: Self.on, state: visitor, context: context(0, load: 1)) }
    }
}
