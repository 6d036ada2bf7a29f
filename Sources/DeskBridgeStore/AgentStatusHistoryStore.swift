import DeskBridgeCore
import Foundation

/// One status an agent took, and when: the history behind Tencent's `DescribeStaffStatusHistory`
/// and the day's durations of `DescribeStaffStatusMetrics` (docs/tencent-cloud-api.md).
package struct StatusChange: Sendable, Equatable {
    /// Increases with every change; a page of history resumes after it.
    package var cursor: Int64
    package var agent: AgentID
    package var at: Date
    package var seat: SeatStatus

    package init(cursor: Int64, agent: AgentID, at: Date, seat: SeatStatus) {
        self.cursor = cursor
        self.agent = agent
        self.at = at
        self.seat = seat
    }
}

/// Where every status change is kept: the stores write it (by a trigger in SQL) wherever a status
/// is set, so that the history cannot miss a path.
package protocol AgentStatusHistoryStore: Sendable {
    /// Changes at or after `from` and before `to`, of `agent` (of everyone when nil), after
    /// `cursor`, oldest first, at most `limit`.
    func statusChanges(of agent: AgentID?, from: Date, to: Date, after cursor: Int64, limit: Int) async throws -> [StatusChange]
    /// Each agent's last change before `moment`: its status then.
    func statuses(at moment: Date) async throws -> [AgentID: StatusChange]
}
