import AsyncHTTPClient
import DeskBridgeConfig
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeHTTP
import DeskBridgePostgres
import DeskBridgeRelay
import DeskBridgeRuntime
import DeskBridgeSQLite
import DeskBridgeStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// What `buildApplication` may be given instead of its production defaults.
package struct ApplicationOverrides: Sendable {
    package var store: (any DeskStore)?
    package var transport: (any OutboundTransport)?
    package var clock: WallClock = .system
    package var registry: PrometheusCollectorRegistry?
    /// Names this replica in delivery leases; stable across restarts so a restarted replica can
    /// take back its own calls at once. `DESKBRIDGE_REPLICA_ID`, else the host name.
    package var replicaId = ProcessInfo.processInfo.environment["DESKBRIDGE_REPLICA_ID"] ?? ProcessInfo.processInfo.hostName
    package var pollInterval: Duration = .milliseconds(500)
    /// False for an edge that only takes webhooks and desk calls in: no processor and no
    /// delivery worker (the benchmark measures ingest on its own this way).
    package var runsWorkers = true
    /// The file the configuration came from, and the environment it was read with: set, `SIGHUP`
    /// and the admin's `reload_config` read it again (README, "Reloading flows").
    package var configFile: (path: String, environment: [String: String])?
    /// Called with the bound address once the server listens (port 0 picks a free port).
    package var onListening: @Sendable (String, Int) async -> Void = { _, _ in }

    package init() {}
}

/// Builds the whole service from a validated configuration: one function for `serve` and tests.
///
/// This is where the adapters are chosen (SQLite or PostgreSQL, the real HTTP client or a given
/// transport) and their lifecycles joined; the HTTP surface only sees the ports.
package func buildApplication(_ loaded: LoadedConfig, logger: Logger, overrides: ApplicationOverrides = .init()) async throws -> some ApplicationProtocol {
    let config = loaded.config
    // The service group stops services in reverse order, so the ones listed first (the
    // database pool, the HTTP client) outlive the workers that use them.
    var services: [any Service] = []
    let store: any DeskStore
    if let given = overrides.store {
        store = given
    } else if let path = loaded.sqlitePath {
        let lock = try SQLiteFileLock(path: path)
        let sqlite = try SQLiteDeskStore(path: path)
        services.append(SQLiteCheckpointService(store: sqlite, lock: lock, interval: .seconds(1), logger: logger))
        store = sqlite
    } else if let settings = loaded.postgres {
        logger.info("connecting to PostgreSQL", metadata: ["server": "\(settings)"])
        let postgres = try await PostgresDeskStore.open(settings, logger: logger)
        services.append(PostgresStoreService(store: postgres))
        store = postgres
    } else {
        throw ConfigErrors(problems: [ConfigProblem(path: "storage.url", message: "unsupported storage URL")])
    }

    let transport: any OutboundTransport
    if let given = overrides.transport {
        transport = given
    } else {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        services.append(HTTPClientService(client: client))
        transport = AsyncHTTPTransport(client: client)
    }
    let tokens: any TokenProvider
    switch (config.channel.auth?.bearerToken, config.channel.auth?.serviceAccountKeyFile) {
    case (let token?, _): tokens = StaticBearerToken(token: token)
    case (nil, let file?): tokens = try ServiceAccountTokenProvider(keyFile: loaded.resolve(file), transport: transport)
    case (nil, nil): tokens = NoAuthorization()
    }

    let runtime = ConversationRuntime(store: store, config: config, clock: overrides.clock, logger: logger)
    if let postgres = store as? PostgresDeskStore {
        services.append(ReplicaChangeRelay(store: postgres, changes: runtime.changes, replicaId: overrides.replicaId, logger: logger,
                                           directoryChanged: { try await runtime.reloadDirectory() }))
    }
    try await runtime.loadDirectory()
    try await runtime.seedQuickReplies()
    try await runtime.seedDeskSettings()
    let backfilled = try await store.backfillSessionFacts()
    if backfilled > 0 { logger.notice("computed the analysis facts of sessions stored before they were kept", metadata: ["sessions": "\(backfilled)"]) }
    if overrides.runsWorkers {
        services.append(ProcessorService(runtime: runtime, pollInterval: overrides.pollInterval, logger: logger))
        services.append(DeliveryService(
            store: store, transport: transport, builder: RequestBuilder(channel: config.channel, desk: config.desk, tokens: tokens),
            policy: config.channel.retry.policy, clock: overrides.clock, signal: runtime.deliveries, processing: runtime.processing, changes: runtime.changes,
            owner: overrides.replicaId,
            pollInterval: overrides.pollInterval, logger: logger))
        services.append(RetentionService(store: store, retention: config.storage.retention, clock: overrides.clock, logger: logger))
    }

    services.append(StreamKeepAlive(changes: runtime.changes))

    let reloader = overrides.configFile.map { ConfigReloader(path: $0.path, environment: $0.environment, runtime: runtime, running: loaded, logger: logger) }
    if let reloader { services.append(ReloadOnHangupService(reloader: reloader)) }
    let router = try DeskRouter.make(runtime: runtime, config: config, registry: overrides.registry, clock: overrides.clock,
                                     reloadConfig: { reloader?.reload() ?? .unavailable })

    let onListening = overrides.onListening
    return Application(
        router: router,
        server: .http1(configuration: DeskRouter.serverConfiguration(config.server)),
        configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "DeskBridge"),
        services: services,
        onServerRunning: { channel in
            let address = channel.localAddress
            logger.info("DeskBridge listening", metadata: ["address": "\(address?.ipAddress ?? "?"):\(address?.port ?? 0)"])
            await onListening(address?.ipAddress ?? config.server.host, address?.port ?? config.server.port)
        },
        logger: logger
    )
}

/// Every 15 s, a keep-alive comment on every open page stream (workbench, console, website
/// visitors), from this one timer rather than one per stream.
struct StreamKeepAlive: Service {
    let changes: ChangeFeed

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(15))
                changes.keepAlive()
            }
        }
    }
}

/// Owns the process's one `HTTPClient` and shuts it down after the workers have stopped.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Checkpoints the SQLite WAL every `interval`, off the writer's path (see `SQLiteDeskStore`).
struct SQLiteCheckpointService: Service {
    let store: SQLiteDeskStore
    /// Held for as long as the service runs: no second process serves the same file.
    let lock: SQLiteFileLock
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            do {
                try await store.checkpoint()
            } catch is CancellationError {
                break
            } catch {
                logger.warning("WAL checkpoint failed; the next one retries", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Keeps the PostgreSQL pool open until every other service has stopped.
struct PostgresStoreService: Service {
    let store: PostgresDeskStore

    func run() async throws {
        try? await gracefulShutdown()
        store.shutdown()
    }
}
