import DeskBridgeConfig
import DeskBridgeCore
import Foundation
import Testing

@Suite("Assignment: webhook and fallback, reception and timeouts, transfers, user choice, hours")
struct AssignmentFlowTests {
    static func engine(strategy: String = "webhook", fallback: String = "automatic", automatic: Bool = false, breakOnTimeout: Bool = true,
                       hours: String = "enabled: false") -> ConversationEngine {
        let yaml = """
            desk:
              secretKey: s
              callbacks: { assignment: { url: "http://127.0.0.1:1/assign" } }
              assignment: { strategy: \(strategy), fallback: \(fallback), defaultSkillGroup: 1 }
              reception: { automatic: \(automatic), acceptTimeoutSeconds: 60, redirectOnTimeout: true, breakOnTimeout: \(breakOnTimeout) }
              prompts: { connecting: "Connecting…", connected: "With ${StaffNickName}.", failed: "Nobody online." }
              workingHours: { \(hours), timezone: UTC, days: { mon: ["09:00-17:00"] }, afterHoursReply: "We are closed." }
              closure: { closureMessage: "Bye." }
              queue: { prompt: "Number $QueuePosition." }
              skillGroups: [ { id: 1, name: Support, receptionLimit: 1 }, { id: 2, name: Sales, receptionLimit: 1 } ]
              agents:
                - { id: ana, nickname: Ana, skillGroups: [ { id: 1 } ] }
                - { id: ben, nickname: Ben, skillGroups: [ { id: 1 }, { id: 2 } ] }
            flows:
              main:
                start: human
                nodes:
                  human: { type: transfer, next: done }
                  done: { type: end }
            """
        return ConversationEngine(config: try! ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config)
    }

    /// Monday 2024-03-04 10:00 UTC.
    static let t0 = Date(timeIntervalSince1970: 1_709_546_400)
    static func routing(ana: DeskConfig.AgentStatus = .Available, anaLoad: Int = 0, ben: DeskConfig.AgentStatus = .Available, benLoad: Int = 0) -> RoutingSnapshot {
        RoutingSnapshot(agents: [
            AgentSnapshot(id: "ana", status: ana, load: anaLoad, lastAssignedAt: nil, groups: [1: 3]),
            AgentSnapshot(id: "ben", status: ben, load: benLoad, lastAssignedAt: nil, groups: [1: 3, 2: 3]),
        ])
    }
    static func at(_ seconds: TimeInterval, _ routing: RoutingSnapshot = routing()) -> ConversationEngine.Context { .init(now: t0.addingTimeInterval(seconds), routing: routing) }

    func answer(_ engine: ConversationEngine, _ state: ConversationState, list: [AgentID] = [], group: SkillGroupID? = nil, failure: String? = nil,
                routing: RoutingSnapshot = routing()) throws -> ConversationEngine.Step {
        let pending = try #require(state.session?.pendingAssignment)
        return engine.handle(.assignmentAnswer(session: state.session!.id, requestId: pending.requestId,
                                               answer: AssignHumanAnswer(agentIdList: list, agentGroupId: group, failure: failure, latencyMs: 12)),
                             state: state, context: Self.at(1, routing))
    }

    @Test func webhookStrategyAsksTheBusinessServerWithTheContext() throws {
        let engine = Self.engine()
        let step = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0))
        let request = try #require(step.effects.compactMap { if case .requestAssignment(let r) = $0 { r } else { nil } }.first)
        #expect(request.ClientUserId == step.state.clientUserId.rawValue)
        #expect(request.ConversationId == "conv-1" && request.Agent == "brands/b/agents/a" && request.UserName == "Rosa")
        #expect(request.SkillGroupId == 1 && request.LastAgentId == "")
        #expect(step.state.session?.pendingAssignment?.requestId == request.requestId)
        #expect(step.effects.lines == ["BOT: Connecting…"])
    }

    @Test(arguments: [
        ("list", ["ben"] as [AgentID], nil as SkillGroupID?, nil as String?, "ben" as AgentID?, "webhook", "offered"),
        ("group", [], SkillGroupID(2), nil, "ben", "webhook", "offered"),
        ("unknown agent → fallback automatic", ["zed"], nil, nil, "ana", "fallback:automatic", "offered"),
        ("ErrorCode 1 → fallback", [], nil, "ErrorCode 1", "ana", "fallback:automatic", "offered"),
        ("timeout → fallback", [], nil, "no answer within 2000 ms", "ana", "fallback:automatic", "offered"),
    ])
    func webhookAnswersAndTheFallbackChain(name: String, list: [AgentID], group: SkillGroupID?, failure: String?, expected: AgentID?,
                                           strategy: String, outcome: String) throws {
        let engine = Self.engine()
        let asked = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0)).state
        let step = try answer(engine, asked, list: list, group: group, failure: failure)
        #expect(step.state.session?.ownership.offeree == expected, "\(name)")
        let last = try #require(step.state.session?.assignments.last)
        #expect(last.strategy == strategy && last.outcome == outcome && last.agentId == expected, "\(name)")
        if strategy.hasPrefix("fallback") {
            let fallback = step.state.session!.assignments.dropLast().last!
            #expect(fallback.outcome == "fallback" && fallback.latencyMs == 12 && !fallback.reason.isEmpty, "\(name)")
        }
    }

    @Test func fallbackFindingNobodyQueuesInTheGroup() throws {
        let engine = Self.engine()
        let asked = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0)).state
        let step = try answer(engine, asked, failure: "HTTP 500", routing: Self.routing(anaLoad: 1, benLoad: 1))
        #expect(step.state.queuePosition?.group == 1)
        #expect(step.state.session?.assignments.map(\.outcome) == ["fallback", "queued"])
    }

    @Test func manualReceptionOffersThenTheAgentAccepts() throws {
        let engine = Self.engine(strategy: "automatic")
        let offered = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0))
        #expect(offered.effects.lines == ["BOT: Connecting…", "+ana"], "capacity is reserved, but no JOINED before acceptance")
        #expect(offered.state.session?.deskState == "WaitingForAgentAnswering")
        #expect(offered.state.timerDue == Self.t0.addingTimeInterval(60))
        #expect(throws: DeskCommandError.notHolder) {
            try engine.send([.text("early")], cloudCustomData: nil, from: "ana", state: offered.state, context: Self.at(1))
        }
        #expect(throws: DeskCommandError.notHolder) { try engine.accept(by: "ben", state: offered.state, context: Self.at(1)) }
        let accepted = try engine.accept(by: "ana", state: offered.state, context: Self.at(30))
        #expect(accepted.effects.lines == ["JOINED Ana", "BOT: With Ana."], "JOINED comes with acceptance; the load was taken at the offer")
        #expect(accepted.state.session?.offer == nil)
        #expect(accepted.state.timerDue == Self.t0.addingTimeInterval(30 + 900), "only the idle closure timer runs now")
    }

    @Test func anOfferThatTimesOutGoesToRestAndIsRedirectedOneSecondLate() throws {
        let engine = Self.engine(strategy: "automatic")
        let offered = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0)).state
        let early = engine.tick(state: offered, context: Self.at(59, Self.routing(anaLoad: 1)))
        #expect(early.effects.isEmpty, "one second before the deadline nothing happens")
        let late = engine.tick(state: offered, context: Self.at(60, Self.routing(anaLoad: 1)))
        #expect(late.effects.contains(.release("ana")))
        #expect(late.effects.contains(.setAgentStatus("ana", .Rest)))
        #expect(late.state.session?.ownership.offeree == "ben")
        #expect(late.state.session?.missedOffers?.agents == ["ana"])
        #expect(late.state.timerDue == Self.t0.addingTimeInterval(120))
        #expect(late.state.session?.assignments.map(\.outcome) == ["offered", "timeout", "offered"])
    }

    /// Two agents who never accept: each is offered the session once, then it waits in the queue
    /// (the user hears the queue prompt) and is offered to nobody until something really changes.
    @Test func anExpiredOfferDoesNotBounceBetweenAgentsWhoNeverAccept() throws {
        let engine = Self.engine(strategy: "automatic", breakOnTimeout: false)
        let offered = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0)).state
        #expect(offered.session?.ownership.offeree == "ana")
        let toBen = engine.tick(state: offered, context: Self.at(60, Self.routing(anaLoad: 1)))
        #expect(toBen.state.session?.ownership.offeree == "ben")
        let queued = engine.tick(state: toBen.state, context: Self.at(120, Self.routing(benLoad: 1)))
        #expect(queued.state.queuePosition != nil, "both had it: the session waits in the queue")
        #expect(queued.state.session?.missedOffers?.agents == ["ana", "ben"])
        #expect(queued.state.session?.assignments.last.map { "\($0.outcome): \($0.reason)" } == "queued: offer to ben timed out")

        // The queue drain finds both with room, as it will every pass: neither is offered it again.
        let drained = engine.retryAssignment(state: queued.state, position: 1, context: Self.at(121))
        #expect(drained.state.session?.ownership.offeree == nil)
        #expect(drained.effects.lines == ["BOT: Number 1."], "the user hears the queue prompt, not silence")
        let later = engine.retryAssignment(state: drained.state, position: 1, context: Self.at(900))
        #expect(later.state.session?.ownership.offeree == nil)

        // Something really changes: Ben was Busy and becomes Available; he is offered it, and the record says why.
        let busyBen = engine.retryAssignment(state: queued.state, position: 1, context: Self.at(130, Self.routing(ana: .Busy, ben: .Busy)))
        let back = engine.retryAssignment(state: busyBen.state, position: 1, context: Self.at(140, Self.routing(ana: .Busy)))
        #expect(back.state.session?.ownership.offeree == "ben")
        #expect(back.state.session?.assignments.last.map { "\($0.outcome): \($0.reason)" } == "offered: ben became Available")
    }

    @Test func transferBetweenAgentsEndsOneSegmentAndBeginsTheNext() throws {
        let engine = Self.engine(strategy: "automatic", automatic: true)
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0)).state
        #expect(held.session?.ownership.holder == "ana")
        let moved = try engine.transferSession(by: "ana", toAgent: "ben", toGroup: nil, state: held, context: Self.at(5, Self.routing(anaLoad: 1)))
        #expect(moved.effects.lines == ["-ana", "+ben", "LEFT Ana", "JOINED Ben", "BOT: With Ben."])
        let reassigned = moved.effects.compactMap { if case .notify(let n) = $0, n.Event == "Agent.Reassigned" { n } else { nil } }.first
        #expect(reassigned?.ForwardFromAgentId == "ana" && reassigned?.AgentId == "ben")
        #expect(throws: DeskCommandError.notHolder) { try engine.transferSession(by: "ben", toAgent: "ana", toGroup: nil, state: held, context: Self.at(5)) }
        let toGroup = try engine.transferSession(by: "ana", toAgent: nil, toGroup: 2, state: held, context: Self.at(5, Self.routing(anaLoad: 1)))
        #expect(toGroup.state.session?.ownership.holder == "ben")
    }

    @Test func userChoiceAsksForTheTeam() throws {
        let engine = Self.engine(strategy: "userChoice", automatic: true)
        let asked = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(0))
        #expect(asked.effects.lines == ["BOT: Which team would you like to talk to?"])
        let wrong = engine.handle(EngineFixture.text("Marketing"), state: asked.state, context: Self.at(1))
        #expect(wrong.effects.lines == ["BOT: Which team would you like to talk to?"])
        let sales = engine.handle(EngineFixture.text("Sales"), state: asked.state, context: Self.at(1))
        #expect(sales.state.session?.ownership.holder == "ben", "only Ben is in Sales")
    }

    @Test(arguments: [(0.0, true), (7.0 * 3_600 - 1, true), (7.0 * 3_600, false)] as [(TimeInterval, Bool)])
    func afterHoursATransferSendsTheReplyInsteadOfQueueing(offset: TimeInterval, open: Bool) throws {
        let engine = Self.engine(strategy: "automatic", automatic: true, hours: "enabled: true")
        let step = engine.handle(EngineFixture.text("hi"), state: nil, context: Self.at(offset, Self.routing(anaLoad: 1, benLoad: 1)))
        if open {
            #expect(step.state.queuePosition != nil)
        } else {
            #expect(step.effects.lines == ["BOT: Connecting…", "BOT: We are closed."])
            #expect(step.state.session == nil, "the flow continued at the transfer's next: the end")
        }
    }

    @Test func aNewTransferDoesNotJumpAheadOfSessionsAlreadyWaiting() throws {
        let engine = Self.engine(strategy: "automatic", automatic: true)
        let others = RoutingSnapshot(agents: Self.routing().agents, queueLengths: [1: 1])
        let step = engine.handle(EngineFixture.text("hi"), state: nil, context: .init(now: Self.t0, routing: others))
        #expect(step.state.queuePosition?.group == 1, "Ana is free, but someone older waits for her")
        #expect(step.effects.lines == ["BOT: Connecting…"])
        #expect(step.state.session?.assignments.last?.reason == "others are already waiting")
    }

    @Test func queuedUsersHearTheirNewPositionAtMostEveryFiveSeconds() throws {
        let engine = Self.engine(strategy: "automatic", automatic: true)
        let busy = Self.routing(anaLoad: 1, benLoad: 1)
        let waiting = engine.handle(EngineFixture.text("hi"), state: nil, context: .init(now: Self.t0, routing: RoutingSnapshot(agents: busy.agents, queueLengths: [1: 2]))).state
        #expect(waiting.session?.announcedPosition == nil)
        let first = engine.retryAssignment(state: waiting, position: 3, context: Self.at(0, busy))
        #expect(first.effects.lines == ["BOT: Number 3."], "the first position is told at once")
        let queued = first.state
        #expect(engine.retryAssignment(state: queued, position: 2, context: Self.at(4.999, busy)).effects.isEmpty)
        let moved = engine.retryAssignment(state: queued, position: 2, context: Self.at(5, busy))
        #expect(moved.effects.lines == ["BOT: Number 2."])
        #expect(engine.retryAssignment(state: moved.state, position: 2, context: Self.at(20, busy)).effects.isEmpty, "unchanged positions are not repeated")
        let freed = engine.retryAssignment(state: moved.state, position: 1, context: Self.at(21))
        #expect(freed.state.session?.ownership.holder == "ana")
    }
}
