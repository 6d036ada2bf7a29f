import DeskBridgeCore
import Foundation
import Testing

@Suite("Routing rules: strategies, orders, capacity, last receptionist, webhook answers")
struct RoutingRulesTests {
    static func agent(_ id: String, _ status: DeskConfig.AgentStatus = .Available, load: Int = 0, idleSince: Double? = nil,
                      groups: [SkillGroupID: Int] = [1: 3]) -> AgentSnapshot {
        AgentSnapshot(id: AgentID(id), status: status, load: load, lastAssignedAt: idleSince.map { Date(timeIntervalSince1970: $0) }, groups: groups)
    }

    static let team = [
        agent("ana", idleSince: 300, groups: [1: 2]),
        agent("ben", idleSince: 100, groups: [1: 3, 2: 1]),
        agent("cai", idleSince: 200, groups: [1: 1]),
        agent("dev", load: 2, idleSince: 50, groups: [1: 1]),
        agent("eva", .Busy, idleSince: 10, groups: [1: 1]),
    ]

    @Test(arguments: [
        // name, order, preferLast, last receptionist, expected
        ("fifo: idle longest among usable", DeskConfig.RoutingOrder.fifo, false, nil as String?, "ben"),
        ("priority: 1 before 2 and 3; dev is at capacity, eva busy", .skillGroupPriority, false, nil, "cai"),
        ("last receptionist first when usable", .fifo, true, "ana", "ana"),
        ("last receptionist at capacity is skipped", .fifo, true, "dev", "ben"),
        ("last receptionist not Available is skipped", .skillGroupPriority, true, "eva", "cai"),
        ("last receptionist ignored unless preferred", .fifo, false, "ana", "ben"),
    ])
    func automatic(name: String, order: DeskConfig.RoutingOrder, preferLast: Bool, last: String?, expected: String) {
        let rules = RoutingRules(order: order, preferLastReceptionist: preferLast)
        #expect(AssignmentRouter.automatic(group: 1, limit: 2, agents: Self.team, rules: rules, lastReceptionist: last.map { AgentID($0) }) == AgentID(expected), "\(name)")
    }

    @Test func excludedAgentsAreSkippedForRedirection() {
        #expect(AssignmentRouter.automatic(group: 1, limit: 2, agents: Self.team, excluding: ["ben"]) == "cai")
        #expect(AssignmentRouter.automatic(group: 1, limit: 2, agents: Self.team, excluding: ["ana", "ben", "cai"]) == nil)
    }

    @Test(arguments: [
        ("list: first usable in list order", ["dev", "cai", "ana"], nil as Int?, "cai" as String?),
        ("group alone: built-in rules inside it", [], 2, "ben"),
        ("both: list first", ["ana"], 2, "ana"),
        ("both: unusable list falls to the group", ["eva", "dev"], 2, "ben"),
        ("unknown agent is skipped", ["nobody@acme.example", "cai"], nil, "cai"),
        ("nothing usable", ["eva"], nil, nil),
        ("empty answer", [], nil, nil),
    ])
    func webhookAnswers(name: String, list: [String], group: Int?, expected: String?) {
        let chosen = AssignmentRouter.resolve(agentIdList: list.map { AgentID($0) }, agentGroupId: group.map { SkillGroupID($0) }, agents: Self.team,
                                              rules: RoutingRules(), limit: { _ in 2 }, lastReceptionist: nil)
        #expect(chosen == expected.map { AgentID($0) }, "\(name)")
    }
}
