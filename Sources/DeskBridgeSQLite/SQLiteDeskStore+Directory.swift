import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func deskDirectory() async throws -> DeskDirectory? {
        let json = try await read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_settings WHERE name = 'directory'")) }
        return try json.map(DeskDirectory.stored)
    }

    package func seedDeskDirectory(_ directory: DeskDirectory) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO store_settings (name, value) VALUES ('directory', ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [directory.stored])
            return db.changesCount == 1
        }
    }

    package func saveDeskDirectory(_ directory: DeskDirectory, replacing expected: DeskDirectory, at now: Date) async throws {
        try await write { db in
            let before = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_settings WHERE name = 'directory'"))
            guard try before.map(DeskDirectory.stored) == expected else { throw StoreError.conflict }
            try db.cachedStatement(sql: "INSERT INTO store_settings (name, value) VALUES ('directory', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .execute(arguments: [directory.stored])
            try Self.seed(db, directory.seeds)
            let kept = Set(directory.agents.map(\.id.rawValue))
            let gone = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM agents")).filter { !kept.contains($0) }
            for id in gone + directory.disabled.map(\.rawValue) { try Self.setStatus(db, AgentID(id), .Offline, reason: nil, now) }
            for id in gone {
                try db.cachedStatement(sql: "UPDATE agents SET groups = '[]' WHERE id = ?").execute(arguments: [id])
                try db.cachedStatement(sql: "DELETE FROM agents WHERE id = ? AND load = 0").execute(arguments: [id])
            }
        }
    }
}
