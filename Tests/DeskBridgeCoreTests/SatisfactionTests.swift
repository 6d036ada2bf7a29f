import DeskBridgeCore
import Foundation
import Testing

@Suite("Satisfaction: the card, its validity, duplicates, invitations and requests")
struct SatisfactionTests {
    let engine = EngineFixture.engine  // satisfaction defaults: scale 5, validityHours 12
    let t0 = EngineFixture.now

    func ctx(_ offset: TimeInterval) -> ConversationEngine.Context { .init(now: t0.addingTimeInterval(offset), routing: EngineFixture.routing()) }

    /// A human session that just ended: the card is on offer.
    func ended() throws -> ConversationState {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        return try engine.endSession(by: "lena@acme.example", state: withLena, context: ctx(2)).state
    }

    func tap(_ state: ConversationState, stars: Int, at offset: TimeInterval) throws -> ConversationEngine.Step {
        let card = try #require(state.ratingCard)
        return engine.handle(EngineFixture.chip("td1:s:\(card.ref):\(stars - 1)", String(repeating: "★", count: stars)), state: state, context: ctx(offset))
    }

    @Test func aTapRatesOnceWithinTheValidity() throws {
        let state = try ended()
        let rated = try tap(state, stars: 4, at: 2 + 12 * 3_600 - 1)
        #expect(rated.effects.lines == ["BOT: Thank you for your feedback!"])
        let submitted = rated.effects.compactMap { if case .notify(let n) = $0, n.Event == "Satisfaction.Submitted" { n } else { nil } }
        #expect(submitted.map(\.SatisfactionSelected) == [4])
        #expect(submitted.first?.SessionId == state.lastEnded?.session.rawValue)
        #expect(rated.state.lastEnded?.satisfaction?.score == 4)
        #expect(rated.effects.contains { if case .archive(let s) = $0 { s.satisfaction?.score == 4 } else { false } }, "the ended session's record gets its score")
        let again = try tap(rated.state, stars: 1, at: 2 + 12 * 3_600 - 1)
        #expect(again.effects.isEmpty, "a repeated tap is not counted")
        #expect(again.state.ratingCard?.ignored.first?.hasPrefix("duplicate:") == true)
        #expect(again.state.lastEnded?.satisfaction?.score == 4)
    }

    @Test func aTapAfterTheValidityIsRecordedAsExpired() throws {
        let late = try tap(try ended(), stars: 5, at: 2 + 12 * 3_600)
        #expect(late.effects.isEmpty)
        #expect(late.state.ratingCard?.score == nil)
        #expect(late.state.ratingCard?.ignored.first?.hasPrefix("expired:") == true)
    }

    @Test func theExactOptionTextAlsoRates() throws {
        let rated = engine.handle(EngineFixture.text("★★★"), state: try ended(), context: ctx(60))
        #expect(rated.state.lastEnded?.satisfaction?.score == 3)
        #expect(rated.state.session == nil, "the answer did not start a new session")
    }

    @Test func theUserMayAskForTheCardDuringAHumanSession() throws {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let asked = engine.handle(EngineFixture.text("rate this chat"), state: withLena, context: ctx(2))
        #expect(asked.effects.lines == ["BOT: How would you rate this chat?"])
        let rated = try tap(asked.state, stars: 5, at: 3)
        #expect(rated.state.session?.satisfaction?.score == 5)
        let end = try engine.endSession(by: "lena@acme.example", state: rated.state, context: ctx(4))
        #expect(!end.effects.lines.contains("BOT: How would you rate this chat?"), "a rated session is not asked again")
    }

    @Test func anAgentsInvitationIsAnsweredTheSameWay() throws {
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let card = DeskCustomMessage.SatisfactionCard(head: "Rate me", tail: nil, menu: [.init(id: "a", content: "Bad"), .init(id: "b", content: "Good")],
                                                      type: 2, sessionId: withLena.session!.id.rawValue, effectiveHour: 1, expireTime: nil)
        let invited = try engine.send([.custom(.satisfaction(card))], cloudCustomData: nil, from: "lena@acme.example", state: withLena, context: ctx(2))
        #expect(invited.effects.lines == ["HUMAN Lena: Rate me"])
        let rated = engine.handle(EngineFixture.text("Good"), state: invited.state, context: ctx(3))
        #expect(rated.state.session?.satisfaction?.score == 2)
    }
}
