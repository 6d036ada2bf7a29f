import DeskBridgeCore
import DeskBridgeConfig
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
        // The answer as the desk shows it: a src 10 naming the option's id and content, and the card.
        guard case .custom(let custom)? = submitted.first?.MsgBody.first, case .satisfactionSelection(let id, let content, let cardId)? = DeskCustomMessage(data: custom.Data)
        else { Issue.record("Satisfaction.Submitted carries no src 10"); return }
        #expect(id == "4" && content == "★★★★")
        #expect(cardId == state.ratingCard?.cardId && cardId != state.lastEnded?.session.rawValue, "the src 9 sessionId names the rating message")
        #expect(rated.state.lastEnded?.satisfaction?.score == 4)
        #expect(rated.effects.contains { if case .archive(let s) = $0 { s.satisfaction?.score == 4 } else { false } }, "the ended session's record gets its score")
        let again = try tap(rated.state, stars: 1, at: 2 + 12 * 3_600 - 1)
        #expect(again.effects.isEmpty, "a repeated tap is not counted, and was thanked once already")
        #expect(again.state.ratingCard?.ignored.first?.hasPrefix("duplicate:") == true)
        #expect(again.state.lastEnded?.satisfaction?.score == 4)
    }

    @Test func aTapAfterTheValidityIsRecordedAsExpired() throws {
        let late = try tap(try ended(), stars: 5, at: 2 + 12 * 3_600)
        #expect(late.effects.lines == ["BOT: This rating is closed."])
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

    /// A chip from an earlier card, tapped while another agent holds a new session: recorded,
    /// never answered inside that agent's segment; with no agent holding, the BOT says it is closed.
    @Test func aStaleRatingChipNeverSpeaksInsideAHumanSegment() throws {
        let first = try ended()
        let oldCard = try #require(first.ratingCard)
        let again = engine.handle(EngineFixture.text("hi again"), state: first, context: ctx(10)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: again, context: ctx(11)).state
        let asked = engine.handle(EngineFixture.text("Rate this chat"), state: withLena, context: ctx(12)).state
        #expect(asked.ratingCard?.ref != oldCard.ref, "a new card replaced the old one")
        let stale = engine.handle(EngineFixture.chip("td1:s:\(oldCard.ref):4", "★★★★★"), state: asked, context: ctx(13))
        #expect(stale.effects.lines.isEmpty, "nothing is said inside Lena's segment")
        #expect(stale.state.ratingCard?.ignored.last?.hasPrefix("stale:") == true)
        #expect(stale.state.session?.satisfaction == nil, "the old card's tap rates nothing")
        let ended = try engine.endSession(by: "lena@acme.example", state: stale.state, context: ctx(14)).state
        let afterEnd = engine.handle(EngineFixture.chip("td1:s:\(oldCard.ref):4", "★★★★★"), state: ended, context: ctx(15))
        #expect(afterEnd.effects.lines == ["BOT: This rating is closed."])
    }

    /// A menu chip of an ended session, tapped while an agent holds a new one, is the user's
    /// visible text for that agent (README, stale taps): no BOT message lands in the segment.
    @Test func aStaleMenuChipDuringAHumanSegmentGoesToTheAgentAsText() throws {
        let first = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0))
        let oldMenu = try #require(first.state.session?.openMenu)
        let ended = try engine.endSession(by: nil, state: first.state, context: ctx(1)).state
        let second = engine.handle(EngineFixture.text("hi again"), state: ended, context: ctx(2)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: second, context: ctx(3)).state
        #expect(withLena.session?.ownership.holder == "lena@acme.example")
        #expect(withLena.session?.openMenu?.ref != oldMenu.ref)
        let tap = engine.handle(EngineFixture.chip("td1:b:\(oldMenu.ref):0", "Opening hours"), state: withLena, context: ctx(4))
        #expect(tap.effects.lines.isEmpty, "nothing is said to the user")
        let events = tap.effects.compactMap { if case .notify(let n) = $0 { n.Event } else { nil } }
        #expect(events == ["Agent.UserSendMsg"], "Lena gets the text the user saw")
    }

    @Test func displayLabelsAndTextsAreTheirOwnSettings() throws {
        let yaml = EngineFixture.yaml.replacingOccurrences(of: "  closure: { closureMessage: \"Chat ended.\" }", with: """
              closure: { closureMessage: "Chat ended." }
              satisfaction: { scale: 3, display: numbers, labels: [Poor, Fine, Great], requestPhrase: "Bewerten", closedReply: "" }
            """)
        let engine = ConversationEngine(config: try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config)
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: ctx(0)).state
        let withLena = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: ctx(1)).state
        let asked = engine.handle(EngineFixture.text("bewerten"), state: withLena, context: ctx(2))
        let card = asked.effects.compactMap { effect -> GoogleMessage? in if case .google(.message(let m)) = effect { m } else { nil } }.last
        #expect(card?.suggestions?.compactMap { if case .reply(let text, _) = $0 { text } else { nil } } == ["Poor", "Fine", "Great"])
        guard case .custom(let custom)? = asked.effects.compactMap({ if case .record(let r) = $0 { r } else { nil } }).last?.msgBody.first,
              case .satisfaction(let sent)? = DeskCustomMessage(data: custom.Data)
        else { Issue.record("no src 9 recorded"); return }
        #expect(sent.type == 2, "numbers, though three levels would show as stars by default")
        let rated = try tap(asked.state, stars: 3, at: 3)
        #expect(rated.state.session?.satisfaction?.score == 3)
        let late = try tap(asked.state, stars: 1, at: 2 + 12 * 3_600 + 1)
        #expect(late.effects.lines.isEmpty, "an empty closedReply says nothing")
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
