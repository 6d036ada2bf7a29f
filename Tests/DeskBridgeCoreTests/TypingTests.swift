import DeskBridgeCore
import Foundation
import Testing

/// Typing both ways: the user's channel says it types (the workbench shows it until a pause),
/// and the holding agent's composer says it types (`TYPING_STARTED`, stopped by its message).
@Suite("Typing both ways")
struct TypingTests {
    let engine = EngineFixture.engine
    let now = EngineFixture.now
    let lena = AgentID("lena@acme.example")

    func held() -> ConversationState {
        let context = ConversationEngine.Context(now: now, routing: EngineFixture.routing())
        var state = engine.handle(EngineFixture.text("hi"), state: nil, context: context).state
        state = engine.handle(EngineFixture.liveAgent, state: state, context: context).state
        return state
    }

    @Test func theUsersTypingLastsUntilAPauseOrItsMessage() {
        let context = ConversationEngine.Context(now: now.addingTimeInterval(10), routing: EngineFixture.routing())
        let typing = engine.handle(EngineFixture.typing(true), state: held(), context: context)
        #expect(typing.state.session?.userTypingUntil == now.addingTimeInterval(15))
        let stopped = engine.handle(EngineFixture.typing(false), state: typing.state, context: context)
        #expect(stopped.state.session?.userTypingUntil == nil)
        let said = engine.handle(EngineFixture.text("here it is"), state: typing.state, context: context)
        #expect(said.state.session?.userTypingUntil == nil, "a message ends it")
    }

    @Test func theHoldersTypingGoesToTheUserOnceInAWhileAndOnlyFromTheHolder() throws {
        let state = held()
        #expect(state.session?.ownership.holder == lena)
        let first = try engine.agentTyping(by: lena, state: state, context: .init(now: now.addingTimeInterval(1), routing: EngineFixture.routing()))
        #expect(first.effects.lines == ["TYPING_STARTED Lena"])
        #expect(first.state.session?.typingUntil == now.addingTimeInterval(6))
        let again = try engine.agentTyping(by: lena, state: first.state, context: .init(now: now.addingTimeInterval(2), routing: EngineFixture.routing()))
        #expect(again.effects.isEmpty, "said a moment ago")
        #expect(throws: DeskCommandError.notHolder) {
            try engine.agentTyping(by: AgentID("omar@acme.example"), state: state, context: .init(now: now, routing: EngineFixture.routing()))
        }
    }
}
