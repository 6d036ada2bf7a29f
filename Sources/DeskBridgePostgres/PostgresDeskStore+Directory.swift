import DeskBridgeCore
import DeskBridgeStore
import Foundation
import PostgresNIO

extension PostgresDeskStore {
    package func deskDirectory() async throws -> DeskDirectory? {
        let json = try await query("SELECT value FROM store_settings WHERE name = 'directory'") { row in try row.value("value") as String }.first
        return try json.map(DeskDirectory.stored)
    }

    package func seedDeskDirectory(_ directory: DeskDirectory) async throws -> Bool {
        try await !query("INSERT INTO store_settings (name, value) VALUES ('directory', \(directory.stored)) ON CONFLICT DO NOTHING RETURNING 1") { _ in () }.isEmpty
    }

    package func saveDeskDirectory(_ directory: DeskDirectory, replacing expected: DeskDirectory, at now: Date) async throws {
        let seeds = try Self.seed(directory.seeds)
        let kept = Set(directory.agents.map(\.id.rawValue)), disabled = directory.disabled
        try await transaction { connection in
            let before: String? = try await connection.rows("SELECT value FROM store_settings WHERE name = 'directory' FOR UPDATE").first.map { try $0.value("value") }
            guard try before.map(DeskDirectory.stored) == expected else { throw StoreError.conflict }
            try await connection.exec("""
                INSERT INTO store_settings (name, value) VALUES ('directory', \(directory.stored)) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """)
            for statement in seeds { try await connection.exec(statement) }
            let gone = try await connection.rows("SELECT id FROM agents").map { try $0.value("id") as String }.filter { !kept.contains($0) }
            for id in gone.map({ AgentID($0) }) + disabled { try await connection.exec(Self.setStatus(id, .Offline, reason: nil, now)) }
            for id in gone {
                try await connection.exec("UPDATE agents SET groups = '[]' WHERE id = \(id)")
                try await connection.exec("DELETE FROM agents WHERE id = \(id) AND load = 0")
            }
        }
    }
}
