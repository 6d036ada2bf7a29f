import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func quickReplies() async throws -> [StoredQuickReply] {
        try await read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM quick_replies ORDER BY id")).map(Self.quickReply) }
    }

    package func seedQuickReplies(_ replies: [QuickReplyDraft]) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO store_seeds (name) VALUES ('quickReplies') ON CONFLICT DO NOTHING").execute()
            guard db.changesCount == 1 else { return false }
            for reply in replies { _ = try Self.insert(db, reply) }
            return true
        }
    }

    package func addQuickReplies(_ replies: [QuickReplyDraft]) async throws -> [StoredQuickReply] {
        try await write { db in try replies.map { try Self.insert(db, $0) } }
    }

    package func updateQuickReply(_ reply: StoredQuickReply) async throws -> StoredQuickReply? {
        try await write { db in
            guard let before = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM quick_replies WHERE id = ?"), arguments: [reply.id]).map(Self.quickReply)
            else { return nil }
            try db.cachedStatement(sql: "UPDATE quick_replies SET group_name = ?, text = ? WHERE id = ?").execute(arguments: [reply.group, reply.text, reply.id])
            return before
        }
    }

    package func deleteQuickReply(id: Int64) async throws -> StoredQuickReply? {
        try await write { db in
            try Row.fetchOne(db.cachedStatement(sql: "DELETE FROM quick_replies WHERE id = ? RETURNING *"), arguments: [id]).map(Self.quickReply)
        }
    }

    private static func insert(_ db: Database, _ reply: QuickReplyDraft) throws -> StoredQuickReply {
        try db.cachedStatement(sql: "INSERT INTO quick_replies (group_name, text) VALUES (?, ?)").execute(arguments: [reply.group, reply.text])
        return StoredQuickReply(id: db.lastInsertedRowID, group: reply.group, text: reply.text)
    }

    private static func quickReply(_ row: Row) -> StoredQuickReply {
        StoredQuickReply(id: row["id"], group: row["group_name"], text: row["text"])
    }
}
