import DeskBridgeCore
import DeskBridgeStore
import Foundation
import PostgresNIO

extension PostgresDeskStore {
    package func deskSettings() async throws -> DeskSettings? {
        let json = try await query("SELECT value FROM store_settings WHERE name = 'desk'") { row in try row.value("value") as String }.first
        return try json.map(DeskSettings.stored)
    }

    package func seedDeskSettings(_ settings: DeskSettings) async throws -> Bool {
        try await !query("INSERT INTO store_settings (name, value) VALUES ('desk', \(settings.stored)) ON CONFLICT DO NOTHING RETURNING 1") { _ in () }.isEmpty
    }

    package func saveDeskSettings(_ settings: DeskSettings) async throws -> DeskSettings? {
        let before = try await transaction { connection in
            let before: String? = try await connection.rows("SELECT value FROM store_settings WHERE name = 'desk' FOR UPDATE").first.map { try $0.value("value") }
            try await connection.exec("""
                INSERT INTO store_settings (name, value) VALUES ('desk', \(settings.stored)) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """)
            return before
        }
        return try before.map(DeskSettings.stored)
    }
}
