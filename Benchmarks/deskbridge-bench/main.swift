import AsyncHTTPClient
import DeskBridgeCore
import Foundation

// deskbridge-bench [seconds] [concurrency] [--postgres URL] [--only NAME,…]: every load run is
// bounded (≤ 30 s) and targets 127.0.0.1. With --postgres, ingest and end to end also run on
// PostgreSQL with one replica and with two (each run in a fresh database created on that server).
// --only runs the ceiling (every ratio needs it) and the named runs: ingest, end-to-end,
// components, handoff, memory, web, agents; handy when profiling one of them. The web run needs the
// `deskbridge` executable built beside this one (swift build -c release). `--only records` (never
// run by default: writing its data takes minutes) times the console's analysis and record search
// over 100,000 sessions with 1,000,000 messages, on SQLite and, with --postgres, on PostgreSQL.
let options = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? { options.firstIndex(of: name).flatMap { options.indices.contains($0 + 1) ? options[$0 + 1] : nil } }
let postgresURL = option("--postgres")
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
func runs(_ name: String) -> Bool { only?.contains(name) ?? true }
let arguments = options.filter { $0 != postgresURL && !$0.hasPrefix("-") }.compactMap { Int($0) }
let runSeconds = min(arguments.first ?? 5, 30)
let concurrency = arguments.dropFirst().first ?? 32
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
let load = LoadGenerator(client: client, concurrency: concurrency, duration: .seconds(Int64(runSeconds)), maxRequests: 2_000_000)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("deskbridge-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
print("DeskBridge benchmark: \(runSeconds) s per run, \(concurrency) connections, \(ProcessInfo.processInfo.activeProcessorCount) cores, SQLite synchronous=FULL\n")

func report(_ name: String, _ result: LoadGenerator.Result, ceiling: Double?) {
    let ratio = ceiling.map { String(format: "%.2f× ceiling", result.throughput / $0) } ?? "—"
    let cpu = result.completed > 0 ? String(format: "%.0f µs", result.cpuSeconds / Double(result.completed) * 1e6) : "—"
    print(String(format: "%-11@ %9.0f req/s  p50 %@ ms  p90 %@ ms  p99 %@ ms  CPU/req %@  %@  (%d ok, %d failed)",
                 name as NSString, result.throughput, millis(result.percentile(0.5)) as NSString, millis(result.percentile(0.9)) as NSString,
                 millis(result.percentile(0.99)) as NSString, cpu as NSString, ratio as NSString, result.completed, result.failed))
}

// 1–2. The ceiling, and ingest: verify + decode + durable commit + 200, on an edge that runs no
// workers, so the figure is the ingest path's own. The two are measured in alternating one-second
// slices, so both see the VM at the same moments (its speed drifts by ±15% over minutes here);
// each figure sums its slices.
let slice = LoadGenerator(client: client, concurrency: concurrency, duration: .seconds(1), maxRequests: 2_000_000)
typealias Pair = (ceiling: LoadGenerator.Result, ingest: LoadGenerator.Result?)
let (ceiling, ingest) = try await withCeilingServer { (ceilingPort: Int) async throws -> Pair in
    guard runs("ingest") else { return (await load.run { Payload.request(ceilingPort, Payload.webhook("c-\($0 % 2_000)", $0)) }, nil) }
    return try await withGoogleStandIn(ArrivalLog()) { (google: Int) async throws -> Pair in
        let database = work.appendingPathComponent("ingest.sqlite").path
        return try await withDeskBridge(Payload.config(google: google, database: database), directory: work, workers: false) { (port: Int) async -> Pair in
            var ceiling = LoadGenerator.Result.empty, ingest = LoadGenerator.Result.empty
            for round in 0..<runSeconds {
                ceiling = ceiling + (await slice.run { Payload.request(ceilingPort, Payload.webhook("c-\($0 % 2_000)", $0)) })
                let offset = round * 1_000_000  // every webhook unique across slices, or it is a repeat
                ingest = ingest + (await slice.run { Payload.request(port, Payload.webhook("c-\(($0 + offset) % 2_000)", $0 + offset)) })
            }
            return (ceiling, ingest)
        }
    }
}
report("ceiling", ceiling, ceiling: nil)
if let ingest { report("ingest", ingest, ceiling: ceiling.throughput) }

// 3. End to end: the same load with the processor and the delivery worker running, counted when
// the bot's replies reach the stand-in Google API. The webhooks' own figures are printed too.
let arrivals = ArrivalLog()
if runs("end-to-end") { try await withGoogleStandIn(arrivals) { google in
    let database = work.appendingPathComponent("end-to-end.sqlite").path
    try await withDeskBridge(Payload.config(google: google, database: database), directory: work) { port in
        try await runEndToEnd(ports: [port], arrivals: arrivals, labels: ("ingest+work", "end to end"), load: load, ceiling: ceiling.throughput)
    }
} }

// 3b. End to end's two workers, each on its own: what one event and one call cost.
if runs("components") {
    let processing = try await measureProcessing(count: 10_000, conversations: 2_000, work: work)
    print(String(format: "%-11@ %9.0f events/s  CPU/event %.0f µs  (10,000 stored webhooks of 2,000 conversations, %d commits)",
                 "processing" as NSString, processing.perSecond, processing.cpuMicros, processing.commits))
    let delivery = try await measureDelivery(work: work, client: client)
    print(String(format: "%-11@ %9.0f calls/s  CPU/call %.0f µs  (the %d calls processing stored, to the stand-in Google API)",
                 "delivery" as NSString, delivery.perSecond, delivery.cpuMicros, delivery.calls))
}

// 3c. Ingest and end to end on PostgreSQL, with one and with two replicas.
if let postgresURL, runs("ingest") || runs("end-to-end") {
    try await runReplicaScenarios(postgresURL: postgresURL, load: load, ceiling: ceiling.throughput, work: work)
}

// 4. Handoff: bot → agent → bot, each conversation a full cycle.
if runs("handoff") { try await withGoogleStandIn(ArrivalLog()) { google in
    let database = work.appendingPathComponent("handoff.sqlite").path
    try await withDeskBridge(Payload.config(google: google, database: database), directory: work) { port in
        let cycles = LoadGenerator(client: client, concurrency: min(concurrency, 10), duration: .seconds(Int64(runSeconds)), maxRequests: 100_000)
        let result = await cycles.runUnits { index in
            // One unit is a whole handoff: the bot greets, the user asks for a person, an agent
            // holds the session, the session ends and the bot has it back.
            let conversation = "h-\(index)"
            let key = ConversationKey(agent: "brands/bench/agents/bench", conversationId: conversation)
            for (step, text) in ["hi", "Talk to a person"].enumerated() {
                let response = try await client.execute(Payload.request(port, Payload.webhook(conversation, index * 2 + step, text: text)), timeout: .seconds(10))
                guard response.status.code == 200 else { return false }
            }
            for _ in 0..<500 {
                let response = try await client.execute(Payload.desk(port, "v4/desk_http_svc/get_session_state", as: "administrator",
                                                                     ["ClientUserId": key.clientUserId.rawValue]), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 16)
                if String(buffer: body).contains("\"Agent\"") { break }
                try await ContinuousClock().sleep(for: .milliseconds(2))
            }
            let end = try await client.execute(Payload.desk(port, "v4/desk_http_svc/end_session", as: "administrator",
                                                            ["SessionId": SessionID.derive(conversation: key, ordinal: 1).rawValue]), timeout: .seconds(10))
            return String(buffer: try await end.body.collect(upTo: 1 << 16)).contains("\"ErrorCode\":0")
        }
        print(String(format: "%-11@ %9.1f handoffs/s (bot → agent JOINED → ended → bot)  p50 %@ ms  p99 %@ ms  (%d ok, %d failed)", "handoff" as NSString,
                     result.throughput, millis(result.percentile(0.5)) as NSString, millis(result.percentile(0.99)) as NSString, result.completed, result.failed))
    }
} }

// 5. Memory with idle conversations in the store.
for count in [10_000, 100_000] where runs("memory") {
    try await withGoogleStandIn(ArrivalLog()) { google in
        let database = work.appendingPathComponent("idle-\(count).sqlite").path
        let state = try JSONEncoder().encode(ConversationState(key: ConversationKey(agent: "brands/bench/agents/bench", conversationId: "x")))
        try await withDeskBridge(Payload.config(google: google, database: database), directory: work) { _ in }  // creates the schema
        try seedIdleConversations(database, count: count, from: state)
        try await withDeskBridge(Payload.config(google: google, database: database), directory: work) { port in
            let result = await LoadGenerator(client: client, concurrency: 8, duration: .seconds(3), maxRequests: 2_000).run {
                Payload.request(port, Payload.webhook("idle-\(($0 * 7_919) % count)", $0))
            }
            print(String(format: "%-11@ RSS %.0f MiB with %d idle conversations (after %d webhooks to random ones)", "memory" as NSString,
                         LoadGenerator.residentMiB(), count, result.completed))
        }
    }
}
// 6. Website visitors: idle chat pages held open, and a visitor's send to the agent's stream.
if runs("web") { try await runWebPages(pages: 10_000, samples: 200, work: work) }
// 7. Agents at work: 1,000 workbench streams open, and a user's webhook to its holder's stream.
if runs("agents") { try await runAgentStreams(agents: 1_000, samples: 200, work: work) }
// 8. The console over a big store (only with --only records).
if only?.contains("records") == true { try await runRecordsAtScale(sessions: 100_000, work: work, postgresURL: postgresURL) }
try await client.shutdown().get()
try? FileManager.default.removeItem(at: work)
