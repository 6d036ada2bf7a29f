import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func deskSettings() async throws -> DeskSettings? {
        let json = try await read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_settings WHERE name = 'desk'")) }
        return try json.map(DeskSettings.stored)
    }

    package func seedDeskSettings(_ settings: DeskSettings) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO store_settings (name, value) VALUES ('desk', ?) ON CONFLICT DO NOTHING").execute(arguments: [settings.stored])
            return db.changesCount == 1
        }
    }

    package func saveDeskSettings(_ settings: DeskSettings) async throws -> DeskSettings? {
        let before = try await write { db in
            let before = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_settings WHERE name = 'desk'"))
            try db.cachedStatement(sql: "INSERT INTO store_settings (name, value) VALUES ('desk', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .execute(arguments: [settings.stored])
            return before
        }
        return try before.map(DeskSettings.stored)
    }
}
