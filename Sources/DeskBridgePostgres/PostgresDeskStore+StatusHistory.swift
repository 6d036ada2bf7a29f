import DeskBridgeCore
import DeskBridgeStore
import Foundation
import PostgresNIO

extension PostgresDeskStore {
    package func statusChanges(of agent: AgentID?, from: Date, to: Date, after cursor: Int64, limit: Int) async throws -> [StatusChange] {
        try await query("""
            SELECT id, agent, at, status, reason FROM agent_status_history
            WHERE at >= \(from.unixMillis) AND at < \(to.unixMillis) AND id > \(cursor) AND (\(agent?.rawValue)::text IS NULL OR agent = \(agent?.rawValue))
            ORDER BY id LIMIT \(limit)
            """, Self.change)
    }

    package func statuses(at moment: Date) async throws -> [AgentID: StatusChange] {
        let changes = try await query("""
            SELECT DISTINCT ON (agent) id, agent, at, status, reason FROM agent_status_history WHERE at < \(moment.unixMillis) ORDER BY agent, id DESC
            """, Self.change)
        return Dictionary(changes.map { ($0.agent, $0) }) { _, later in later }
    }

    @Sendable private static func change(_ row: PostgresRandomAccessRow) throws -> StatusChange {
        let agent: String = try row.value("agent")
        return StatusChange(cursor: try row.value("id"), agent: AgentID(agent), at: Date(unixMillis: try row.value("at")),
                            seat: SeatStatus(status: try .stored(try row.value("status"), agent: agent), reason: try row.value("reason")))
    }
}
