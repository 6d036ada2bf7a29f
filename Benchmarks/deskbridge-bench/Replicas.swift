import AsyncHTTPClient
import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgePostgres
import Foundation

/// Ingest and end to end on PostgreSQL with one replica, then with two sharing the database.
///
/// The replicas run in this process, each built as `serve` builds it with its own connection
/// pool and replica id; the load generator alternates between their ports, as a round-robin
/// proxy would. On one 2-core machine the replicas, PostgreSQL and the load generator share the
/// same cores, so this shows correctness under load and the cost of the database, not scale-out.
func runReplicaScenarios(postgresURL: String, load: LoadGenerator, ceiling: Double, work: URL) async throws {
    guard case .success(let server) = PostgresSettings.parse(postgresURL) else {
        print("--postgres: not a postgres:// URL")
        return
    }
    for replicas in [1, 2] {
        var settings = server
        settings.database = "deskbridge_bench_\(UUID().uuidString.prefix(8).lowercased())"
        try await PostgresDeskStore.createDatabase(settings.database, on: server, logger: quiet)
        settings.maxConnections = 8
        let storageURL = settings.url(password: server.password)
        let arrivals = ArrivalLog()
        try await withGoogleStandIn(arrivals) { google in
            try await withReplicas(replicas, Payload.config(google: google, storageURL: storageURL), directory: work) { ports in
                try await runEndToEnd(ports: ports, arrivals: arrivals, labels: ("pg ×\(replicas) in", "pg ×\(replicas) e2e"), load: load, ceiling: ceiling)
            }
        }
    }
}

extension PostgresSettings {
    /// Back to a `storage.url` (the settings' own description leaves the password out).
    func url(password: String?) -> String {
        let credentials = password.map { "\(username):\($0)" } ?? username
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)&pool=\(maxConnections)"
    }
}
