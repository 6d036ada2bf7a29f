import DeskBridgeCore
import Foundation
import Testing

@Suite("Timers: idle closure and the agent's typing indicator, at the edges")
struct TimerTests {
    let engine = EngineFixture.engine  // closure.userTimeoutSeconds: 900 (default)
    let t0 = EngineFixture.now

    func ctx(_ offset: TimeInterval) -> ConversationEngine.Context { .init(now: t0.addingTimeInterval(offset), routing: EngineFixture.routing()) }

    @Test func aBotSessionTheUserLeftClosesAfterTheTimeoutNotASecondBefore() {
        let waiting = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        #expect(waiting.timerDue == t0.addingTimeInterval(900))
        #expect(engine.tick(state: waiting, context: ctx(899)).effects.isEmpty)
        let closed = engine.tick(state: waiting, context: ctx(900))
        #expect(closed.effects.lines == ["BOT: This chat was closed because we did not hear from you."])
        #expect(closed.effects.compactMap(\.sessionEvent).last == "SessionTimeout")
        #expect(closed.state.session == nil)
        #expect(engine.tick(state: closed.state, context: ctx(2_000)).effects.isEmpty, "a timeout fires once")
    }

    @Test func anAnswerStopsTheClockAndTheNextBotMessageRestartsIt() {
        let waiting = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let answered = engine.handle(EngineFixture.text("Opening hours"), state: waiting, context: ctx(600)).state
        #expect(answered.session == nil, "the flow ended")
        let again = engine.handle(EngineFixture.text("hello"), state: answered, context: ctx(700)).state
        let typo = engine.handle(EngineFixture.text("hmm"), state: again, context: ctx(800)).state  // error prompt + menu: a bot message
        #expect(typo.timerDue == t0.addingTimeInterval(800 + 900))
    }

    @Test func aHumanSegmentTimesOutWithLeftBeforeTheClosureMessage() {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let closed = engine.tick(state: withLena, context: ctx(901))
        #expect(closed.effects.lines == ["LEFT Lena", "-lena@acme.example", "BOT: This chat was closed because we did not hear from you.",
                                         "BOT: How would you rate this chat?"])
    }

    @Test func theUserEndsAHumanSessionWithTheKeyword() {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let ended = engine.handle(EngineFixture.text("end chat"), state: withLena, context: ctx(2))
        #expect(ended.effects.lines == ["LEFT Lena", "-lena@acme.example", "BOT: Chat ended.", "BOT: How would you rate this chat?"])
        #expect(ended.state.session == nil)
        let botOnly = engine.handle(EngineFixture.text("End chat"), state: held, context: ctx(2))
        #expect(botOnly.state.session != nil, "with the bot the keyword is just text (here: the menu's error prompt)")
    }

    @Test func aQueuedSessionIsNotClosedForTheUsersSilence() {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let queued = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1, busy: true)).state
        #expect(queued.queuePosition != nil)
        let later = engine.tick(state: queued, context: ctx(5_000, busy: true))
        #expect(later.effects.isEmpty)
        #expect(later.state.session != nil && later.state.timerDue == nil)
    }

    @Test func theAgentsTypingIndicatorStopsWithItsMessageOrAfterAPause() throws {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let typing = try engine.send([.custom(.agentTyping)], cloudCustomData: nil, from: "lena@acme.example", state: withLena, context: ctx(2))
        #expect(typing.effects.lines == ["TYPING_STARTED Lena"])
        let message = try engine.send([.text("Found it")], cloudCustomData: nil, from: "lena@acme.example", state: typing.state, context: ctx(3))
        #expect(message.effects.lines == ["TYPING_STOPPED Lena", "HUMAN Lena: Found it"])
        #expect(engine.tick(state: typing.state, context: ctx(6.999)).effects.isEmpty)
        #expect(engine.tick(state: typing.state, context: ctx(7)).effects.lines == ["TYPING_STOPPED Lena"])
    }

    func ctx(_ offset: TimeInterval, busy: Bool) -> ConversationEngine.Context {
        .init(now: t0.addingTimeInterval(offset), routing: EngineFixture.routing(lenaLoad: busy ? 1 : 0))
    }
}
