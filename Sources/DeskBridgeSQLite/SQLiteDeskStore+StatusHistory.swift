import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func statusChanges(of agent: AgentID?, from: Date, to: Date, after cursor: Int64, limit: Int) async throws -> [StatusChange] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, agent, at, status, reason FROM agent_status_history
                WHERE at >= ? AND at < ? AND id > ? AND (? IS NULL OR agent = ?) ORDER BY id LIMIT ?
                """), arguments: [from.unixMillis, to.unixMillis, cursor, agent?.rawValue, agent?.rawValue, limit]).map(Self.change)
        }
    }

    package func statuses(at moment: Date) async throws -> [AgentID: StatusChange] {
        try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT h.id, h.agent, h.at, h.status, h.reason FROM agent_status_history h
                JOIN (SELECT agent, MAX(id) AS id FROM agent_status_history WHERE at < ? GROUP BY agent) last ON last.id = h.id
                """), arguments: [moment.unixMillis])
            return Dictionary(try rows.map(Self.change).map { ($0.agent, $0) }) { _, later in later }
        }
    }

    private static func change(_ row: Row) throws -> StatusChange {
        let agent: String = row["agent"]
        return StatusChange(cursor: row["id"], agent: AgentID(agent), at: Date(unixMillis: row["at"]),
                            seat: SeatStatus(status: try .stored(row["status"], agent: agent), reason: row["reason"]))
    }
}
