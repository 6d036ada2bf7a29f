import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgePostgres
import Foundation
import Logging

/// The throwaway PostgreSQL server `scripts/test` starts (`DESKBRIDGE_TEST_POSTGRES_URL`),
/// and a fresh database on it for each test that asks.
package enum TestPostgres {
    /// The server's URL, when the test script started one.
    package static var url: String? { ProcessInfo.processInfo.environment["DESKBRIDGE_TEST_POSTGRES_URL"] }

    /// True when PostgreSQL tests should run. `scripts/test` always starts a server, so there
    /// they always run; a bare `swift test` without one leaves them out.
    package static var isAvailable: Bool { url != nil }

    /// Creates an empty database and returns its settings (same server, user and password).
    package static func freshDatabase(pool: Int = 4) async throws -> PostgresSettings {
        guard let url else { throw TestPostgresError.notConfigured }
        var settings = try PostgresSettings.parse(url).get()
        let name = "deskbridge_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await PostgresDeskStore.createDatabase(name, on: settings, logger: Logger(label: "test.postgres"))
        settings.database = name
        settings.maxConnections = pool
        return settings
    }

    /// `settings` as a `storage.url`.
    package static func url(_ settings: PostgresSettings) -> String {
        guard let base = url, var components = URLComponents(string: base) else { return "" }
        components.path = "/\(settings.database)"
        components.queryItems = [URLQueryItem(name: "sslmode", value: "disable"), URLQueryItem(name: "pool", value: "\(settings.maxConnections)")]
        return components.string ?? ""
    }

    /// Opens a store on a fresh database.
    package static func freshStore() async throws -> PostgresDeskStore {
        try await PostgresDeskStore.open(try await freshDatabase(), logger: Logger(label: "test.postgres"))
    }
}

package enum TestPostgresError: Error { case notConfigured }
