import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgePostgres
import DeskBridgeRuntime
import DeskBridgeSQLite
import DeskBridgeStore
import Foundation

/// The console's data analysis and record search over a big store: 100,000 ended sessions with
/// 1,000,000 messages spread over 90 days, written through the store's own commits (as
/// processing writes them), then the analysis of the 90 days by day and keyword searches, each
/// timed as the console's API calls them (the runtime's commands, without HTTP), on SQLite and,
/// with --postgres, on PostgreSQL.
func runRecordsAtScale(sessions: Int, work: URL, postgresURL: String?) async throws {
    var stores: [(String, any DeskStore)] = [("sqlite", try SQLiteDeskStore(path: work.appendingPathComponent("records.sqlite").path))]
    if let postgresURL, case .success(let server) = PostgresSettings.parse(postgresURL) {
        var settings = server
        settings.database = "deskbridge_bench_\(UUID().uuidString.prefix(8).lowercased())"
        try await PostgresDeskStore.createDatabase(settings.database, on: server, logger: quiet)
        settings.maxConnections = 8
        stores.append(("postgres", try await PostgresDeskStore.open(settings, logger: quiet)))
    }
    for (name, store) in stores {
        let loaded = try ConfigLoader.parse(yaml: Payload.config(google: 1, database: work.appendingPathComponent("unused.sqlite").path),
                                            directory: work, environment: [:]).get()
        let runtime = ConversationRuntime(store: store, config: loaded.config, clock: .system, logger: quiet)
        try await runtime.loadDirectory()
        let started = ContinuousClock.now
        let messages = try await fillRecords(store, sessions: sessions)
        print(String(format: "%-11@ %d sessions, %d messages over 90 days written in %.0f s", "records" as NSString,
                     sessions, messages, seconds(ContinuousClock.now - started)))
        let commands = DeskCommands(runtime: runtime)
        let utc = TimeZone(identifier: "UTC")!
        let today = ISO8601DateFormatter.day.string(from: Date()), first = ISO8601DateFormatter.day.string(from: Date().addingTimeInterval(-89 * 86_400))
        let analysis = try await timed(5) {
            let (report, truncated) = try await commands.analysis(as: .admin, fromDay: first, toDay: today, timeZone: utc, bucket: .day)
            return "\(report.total.started) sessions\(truncated ? " (truncated)" : "")"
        }
        print(String(format: "%-11@ analysis of 90 days by day: median %.0f ms, worst %.0f ms (%@)", "\(name)" as NSString,
                     analysis.median, analysis.worst, analysis.answer as NSString))
        for keyword in ["parcel-zeta", "order"] {
            let search = try await timed(5) {
                let filter = RecordFilter(fromDay: first, toDay: today, timeZone: utc, keyword: keyword)
                let found = try await commands.searchRecords(as: .admin, filter, page: 0)
                return "\(found.total) found\(found.truncated ? ", truncated" : "")"
            }
            print(String(format: "%-11@ search \"%@\" over 90 days: median %.0f ms, worst %.0f ms (%@)", "\(name)" as NSString,
                         keyword as NSString, search.median, search.worst, search.answer as NSString))
        }
        if let postgres = store as? PostgresDeskStore { postgres.shutdown() }
    }
}

/// Times `body` `runs` times; answers the median and worst in milliseconds and its last answer.
private func timed(_ runs: Int, _ body: () async throws -> String) async throws -> (median: Double, worst: Double, answer: String) {
    var times: [Double] = [], answer = ""
    for _ in 0..<runs {
        let started = ContinuousClock.now
        answer = try await body()
        times.append(seconds(ContinuousClock.now - started) * 1_000)
    }
    times.sort()
    return (times[times.count / 2], times.last ?? 0, answer)
}

/// 1,000 conversations, each with `sessions / 1,000` ended sessions of 10 messages, committed
/// ten sessions at a time. Every session asks for a person and half are rated; one in 2,000
/// mentions the rare keyword "parcel-zeta". Answers how many messages were written.
private func fillRecords(_ store: any DeskStore, sessions: Int) async throws -> Int {
    let conversations = 1_000, perConversation = max(sessions / conversations, 1), perCommit = 10
    let now = Date(), span: TimeInterval = 89 * 86_400
    return try await withThrowingTaskGroup(of: Int.self) { group in
        for lane in 0..<16 {
            group.addTask {
                var written = 0
                for index in stride(from: lane, to: conversations, by: 16) {
                    let key = ConversationKey(agent: "brands/bench/agents/bench", conversationId: "records-\(index)")
                    _ = try await store.accept(key, dedupeKeys: ["records-\(index)"], body: Data("{}".utf8), clientIP: nil, receivedAt: now)
                    var version = try await store.conversation(key)?.version ?? 0
                    for batch in stride(from: 0, to: perConversation, by: perCommit) {
                        var commit = ConversationCommit(key: key, expectedVersion: version, state: ConversationState(key: key), processedSeq: nil,
                                                        outbox: [], occupy: [], release: [], now: now)
                        for ordinal in batch..<min(batch + perCommit, perConversation) {
                            let number = index * perConversation + ordinal
                            let session = SessionID.derive(conversation: key, ordinal: ordinal + 1)
                            let start = now.addingTimeInterval(-span * Double(number % 997) / 997 - Double(number % 3_600))
                            let agent = AgentID("agent-\(number % 20)@acme.example")
                            let reached = start.addingTimeInterval(60)
                            commit.sessions.append(SessionSummary(
                                session: session, state: "Ended", startTime: start, endTime: start.addingTimeInterval(600), agentIds: [agent],
                                assignments: [AssignmentRecord(time: reached, strategy: "automatic", candidates: [agent], agentId: agent,
                                                               outcome: "assigned", reason: "idle longest", latencyMs: nil)],
                                satisfaction: number % 2 == 0 ? Rating(score: 1 + number % 5, time: start.addingTimeInterval(610)) : nil,
                                closeBy: "client", skillGroup: 1))
                            for message in 0..<10 {
                                let sender: MessageRecord.Sender = message % 2 == 0 ? .User : (message < 3 ? .Bot : .Agent)
                                let text = message == 4 && number % 2_000 == 0 ? "Where is my parcel-zeta \(number)?"
                                    : "Message \(message) about order \(number % 50_000), please help"
                                commit.records.append(MessageRecord(
                                    session: session, time: start.addingTimeInterval(Double(message) * 30 + (sender == .Agent ? 60 : 0)),
                                    direction: sender == .User ? .In : .Out, sender: sender, agentId: sender == .Agent ? agent : nil,
                                    msgKey: "k-\(number)-\(message)", msgBody: [.text(text)], callIds: []))
                            }
                        }
                        try await store.commit(commit)
                        version += 1
                        written += commit.records.count
                    }
                }
                return written
            }
        }
        return try await group.reduce(0, +)
    }
}

extension ISO8601DateFormatter {
    /// `yyyy-MM-dd` in UTC, as the console's date fields send days.
    static var day: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter
    }
}
