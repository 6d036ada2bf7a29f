import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgeServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The ceiling: a bare Hummingbird endpoint that decodes the same webhook JSON and answers 200.
func withCeilingServer<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
    let router = Router()
    router.post("/webhooks/business-messages") { request, _ -> Response in
        var request = request
        let buffer = try await request.collectBody(upTo: 262_144)
        _ = try? WebhookBody.decode(Data(buffer.readableBytesView))
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    return try await runApp(Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet), ports: ports, body)
}

/// A stand-in Google API that answers 200 and notes when each conversation's messages arrive.
final class ArrivalLog: Sendable {
    private let arrivals = Mutex<[String: [ContinuousClock.Instant]]>([:])
    func note(_ conversation: String) { arrivals.withLock { $0[conversation, default: []].append(.now) } }
    var snapshot: [String: [ContinuousClock.Instant]] { arrivals.withLock { $0 } }
    var total: Int { arrivals.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

func withGoogleStandIn<T: Sendable>(_ log: ArrivalLog, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let router = Router()
    router.post("/v1/conversations/:conversation/:kind") { request, context -> Response in
        var request = request
        _ = try await request.collectBody(upTo: 1 << 20)
        if context.parameters.get("kind") == "messages" { log.note(context.parameters.get("conversation") ?? "") }
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    return try await runApp(Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet), ports: ports, body)
}

/// DeskBridge itself, built exactly as `serve` builds it.
/// `workers: false` starts an edge alone: no processor, no delivery worker.
func withDeskBridge<T: Sendable>(_ yaml: String, directory: URL, workers: Bool = true, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    try await withReplicas(1, yaml, directory: directory, workers: workers) { ports in try await body(ports[0]) }
}

/// `count` DeskBridge instances on one configuration (one shared database), each with its own replica id.
func withReplicas<T: Sendable>(_ count: Int, _ yaml: String, directory: URL, workers: Bool = true,
                               _ body: @escaping @Sendable ([Int]) async throws -> T) async throws -> T {
    try await startReplica(0, of: count, yaml, directory: directory, workers: workers, ports: [], body)
}

private func startReplica<T: Sendable>(_ index: Int, of count: Int, _ yaml: String, directory: URL, workers: Bool, ports: [Int],
                                       _ body: @escaping @Sendable ([Int]) async throws -> T) async throws -> T {
    if index == count { return try await body(ports) }
    let loaded = try ConfigLoader.parse(yaml: yaml, directory: directory, environment: [:]).get()
    var overrides = ApplicationOverrides()
    overrides.replicaId = "bench-\(index + 1)"
    overrides.runsWorkers = workers
    let (stream, continuation) = AsyncStream<Int>.makeStream()
    overrides.onListening = { _, port in continuation.yield(port) }
    let app = try await buildApplication(loaded, logger: quiet, overrides: overrides)
    return try await runApp(app, ports: stream) { port in
        try await startReplica(index + 1, of: count, yaml, directory: directory, workers: workers, ports: ports + [port], body)
    }
}

/// Runs `app` while `body` works against the port it reports, then stops it gracefully, as
/// SIGTERM would: workers finish before the store they use closes (cancelling everything at
/// once could close a PostgreSQL pool under a worker's query).
private func runApp<App: ApplicationProtocol, T: Sendable>(_ app: App, ports: AsyncStream<Int>, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: [app], logger: quiet))
    async let running: Void = group.run()
    var iterator = ports.makeAsyncIterator()
    let port = await iterator.next() ?? 0
    let result: Result<T, any Error>
    do { result = .success(try await body(port)) } catch { result = .failure(error) }
    await group.triggerGracefulShutdown()
    try await running
    return try result.get()
}

let quiet: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    return logger
}()
