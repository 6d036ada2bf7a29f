import Foundation
import DeskBridgeCore
import Testing

@Suite("Ownership state machine")
struct OwnershipTests {
    let bot = Representative(.BOT, displayName: "Acme Assistant", avatarImage: nil)
    let lena = Representative(.HUMAN, displayName: "Lena", avatarImage: "https://cdn.example/lena.png")
    let omar = Representative(.HUMAN, displayName: "Omar", avatarImage: nil)

    @Test func startsWithTheBotWhichTagsBOT() throws {
        let ownership = Ownership()
        #expect(ownership.owner == .bot)
        #expect(try ownership.representative(for: .bot, bot: bot) == bot)
        #expect(throws: Ownership.Refusal.notHolder("lena")) { try ownership.representative(for: .agent("lena"), bot: bot) }
    }

    @Test func assignmentEmitsJoinedAndTheHolderSpeaksHUMAN() throws {
        var ownership = Ownership()
        #expect(ownership.assign(to: "lena", as: lena) == [.joined(lena)])
        #expect(ownership.owner == .agent("lena"))
        #expect(try ownership.representative(for: .agent("lena"), bot: bot) == lena)
        #expect(try ownership.representative(for: .bot, bot: bot) == bot, "system prompts stay BOT during a human segment")
        #expect(throws: Ownership.Refusal.notHolder("omar")) { try ownership.representative(for: .agent("omar"), bot: bot) }
        #expect(ownership.assign(to: "lena", as: lena) == [], "re-assigning the holder is idempotent")
    }

    @Test func transferToAnotherAgentEndsOneSegmentAndBeginsTheNext() {
        var ownership = Ownership()
        _ = ownership.assign(to: "lena", as: lena)
        #expect(ownership.assign(to: "omar", as: omar) == [.left(lena), .joined(omar)])
        #expect(ownership.holder == "omar")
    }

    @Test(arguments: [
        ("queue", Ownership.Owner.queued(1)),
        ("bot", Ownership.Owner.bot),
        ("close", Ownership.Owner.closed),
    ])
    func leavingAHumanSegmentEmitsLeftWithTheSameRepresentative(transition: String, owner: Ownership.Owner) {
        var ownership = Ownership()
        _ = ownership.assign(to: "lena", as: lena)
        let effects: [Ownership.Effect] =
            switch transition {
            case "queue": ownership.queue(in: 1)
            case "bot": ownership.returnToBot()
            default: ownership.close()
            }
        #expect(effects == [.left(lena)])
        #expect(ownership.owner == owner)
        #expect(ownership.human == nil)
    }

    @Test func leavingTheBotOrQueueEmitsNothing() {
        var ownership = Ownership()
        #expect(ownership.queue(in: 1) == [])
        #expect(ownership.returnToBot() == [])
        #expect(ownership.close() == [])
    }

    @Test func aClosedSessionRefusesEveryoneAndStaysClosed() {
        var ownership = Ownership()
        _ = ownership.close()
        #expect(throws: Ownership.Refusal.closed) { try ownership.representative(for: .bot, bot: bot) }
        #expect(throws: Ownership.Refusal.closed) { try ownership.representative(for: .agent("lena"), bot: bot) }
        #expect(ownership.assign(to: "lena", as: lena) == [])
        #expect(ownership.queue(in: 1) == [])
        #expect(ownership.owner == .closed)
    }
}

@Suite("Routing: automatic assignment")
struct RoutingTests {
    static func agent(_ id: String, _ status: DeskConfig.AgentStatus = .Available, load: Int = 0, lastAssigned: Double? = nil, groups: [SkillGroupID: Int] = [1: 3]) -> AgentSnapshot {
        AgentSnapshot(id: AgentID(id), status: status, load: load, lastAssignedAt: lastAssigned.map { Date(timeIntervalSince1970: $0) }, groups: groups)
    }

    @Test(arguments: [
        ("idle longest wins", [agent("a", lastAssigned: 200), agent("b", lastAssigned: 100)], "b"),
        ("never assigned counts as longest idle", [agent("a", lastAssigned: 100), agent("b")], "b"),
        ("ties keep configuration order", [agent("a"), agent("b")], "a"),
        ("at capacity is skipped", [agent("a", load: 2), agent("b", load: 1, lastAssigned: 500)], "b"),
        ("not Available is skipped", [agent("a", .Busy), agent("b", .Rest), agent("c", .Offline), agent("d", lastAssigned: 9)], "d"),
        ("other groups are skipped", [agent("a", groups: [2: 1]), agent("b", lastAssigned: 1)], "b"),
    ])
    func picks(name: String, agents: [AgentSnapshot], expected: String) {
        #expect(AssignmentRouter.automatic(group: 1, limit: 2, agents: agents) == AgentID(expected), "\(name)")
    }

    @Test func nobodyUsable() {
        #expect(AssignmentRouter.automatic(group: 1, limit: 1, agents: [Self.agent("a", load: 1), Self.agent("b", .Busy)]) == nil)
        #expect(AssignmentRouter.anyoneOnline(in: 1, agents: [Self.agent("a", .Busy)]))
        #expect(!AssignmentRouter.anyoneOnline(in: 1, agents: [Self.agent("a", .Offline), Self.agent("b", .Rest)]))
    }
}

