import DeskBridgeConfig
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRelay
import DeskBridgeRuntime
import AsyncHTTPClient
import DeskBridgeSQLite
import Foundation

/// The processor on its own, without HTTP: `count` webhooks are stored first (as ingest stores
/// them), then timed while `processPending` turns them into commits and outbox rows. Separates
/// the cost of processing from the cost of the HTTP in front of it.
func measureProcessing(count: Int, conversations: Int, work: URL) async throws -> (perSecond: Double, cpuMicros: Double, commits: Int) {
    let path = work.appendingPathComponent("processing.sqlite").path
    let loaded = try ConfigLoader.parse(yaml: Payload.config(google: 1, database: path), directory: work, environment: [:]).get()
    let store = try SQLiteDeskStore(path: path)
    let runtime = ConversationRuntime(store: store, config: loaded.config, clock: .system, logger: quiet)
    try await runtime.loadDirectory()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<32 {
            group.addTask {
                for index in stride(from: lane, to: count, by: 32) {
                    let body = Payload.webhook("p-\(index % conversations)", index)
                    guard case .event(let webhook) = try WebhookBody.decode(body) else { continue }
                    _ = try await store.accept(webhook.conversation, dedupeKeys: webhook.dedupeKeys, body: body, clientIP: nil, receivedAt: Date())
                }
            }
        }
        try await group.waitForAll()
    }
    let before = store.groupCommitCounts.transactions
    let cpu = LoadGenerator.cpuSeconds()
    let started = ContinuousClock.now
    let processed = try await runtime.processPending()
    let elapsed = seconds(ContinuousClock.now - started)
    return (Double(processed) / elapsed, (LoadGenerator.cpuSeconds() - cpu) / Double(processed) * 1e6, store.groupCommitCounts.transactions - before)
}

/// The delivery worker on its own: after `measureProcessing`, the outbox it filled is
/// delivered to a stand-in Google API and timed until every call is recorded.
func measureDelivery(work: URL, client: HTTPClient) async throws -> (perSecond: Double, cpuMicros: Double, calls: Int) {
    try await withGoogleStandIn(ArrivalLog()) { google in
        let path = work.appendingPathComponent("processing.sqlite").path
        let loaded = try ConfigLoader.parse(yaml: Payload.config(google: google, database: path), directory: work, environment: [:]).get()
        let store = try SQLiteDeskStore(path: path)
        let config = loaded.config
        let service = DeliveryService(store: store, transport: AsyncHTTPTransport(client: client),
                                      builder: RequestBuilder(channel: config.channel, desk: config.desk, tokens: NoAuthorization()),
                                      policy: config.channel.retry.policy, clock: .system, signal: WorkSignal(), owner: "bench", logger: quiet)
        let calls = try await store.pendingOutboxCount()
        let cpu = LoadGenerator.cpuSeconds()
        let started = ContinuousClock.now
        while try await service.deliverDue() > 0 {}
        let elapsed = seconds(ContinuousClock.now - started)
        return (Double(calls) / elapsed, (LoadGenerator.cpuSeconds() - cpu) / Double(calls) * 1e6, calls)
    }
}
