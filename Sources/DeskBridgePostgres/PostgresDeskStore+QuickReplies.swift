import DeskBridgeCore
import DeskBridgeStore
import Foundation
import PostgresNIO

extension PostgresDeskStore {
    package func quickReplies() async throws -> [StoredQuickReply] {
        try await query("SELECT id, group_name, text FROM quick_replies ORDER BY id", Self.quickReply)
    }

    package func seedQuickReplies(_ replies: [QuickReplyDraft]) async throws -> Bool {
        try await transaction { connection in
            guard try await !connection.rows("INSERT INTO store_seeds (name) VALUES ('quickReplies') ON CONFLICT DO NOTHING RETURNING 1").isEmpty else {
                return false
            }
            for reply in replies { _ = try await Self.insert(connection, reply) }
            return true
        }
    }

    package func addQuickReplies(_ replies: [QuickReplyDraft]) async throws -> [StoredQuickReply] {
        try await transaction { connection in
            var added: [StoredQuickReply] = []
            for reply in replies { added.append(try await Self.insert(connection, reply)) }
            return added
        }
    }

    package func updateQuickReply(_ reply: StoredQuickReply) async throws -> StoredQuickReply? {
        try await transaction { connection in
            guard let row = try await connection.rows("SELECT id, group_name, text FROM quick_replies WHERE id = \(reply.id) FOR UPDATE").first else {
                return nil
            }
            try await connection.exec("UPDATE quick_replies SET group_name = \(reply.group), text = \(reply.text) WHERE id = \(reply.id)")
            return try Self.quickReply(row)
        }
    }

    package func deleteQuickReply(id: Int64) async throws -> StoredQuickReply? {
        try await query("DELETE FROM quick_replies WHERE id = \(id) RETURNING id, group_name, text", Self.quickReply).first
    }

    private static func insert(_ connection: PostgresConnection, _ reply: QuickReplyDraft) async throws -> StoredQuickReply {
        let rows = try await connection.rows("INSERT INTO quick_replies (group_name, text) VALUES (\(reply.group), \(reply.text)) RETURNING id, group_name, text")
        guard let row = rows.first else { throw StoreError.corrupt("an insert into quick_replies returned no row") }
        return try quickReply(row)
    }

    private static func quickReply(_ row: PostgresRandomAccessRow) throws -> StoredQuickReply {
        StoredQuickReply(id: try row.value("id"), group: try row.value("group_name"), text: try row.value("text"))
    }
}
