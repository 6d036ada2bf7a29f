import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Logging
import PostgresNIO

extension PostgresDeskStore {
    package func sessionFacts(from: Date, to: Date, limit: Int) async throws -> [Analysis.Facts] {
        let decoder = decoder
        let (from, to) = (from.unixMillis, to.unixMillis)
        return try await transaction { connection in
            // Decoded by position as the rows stream in: a range holds up to a million of them.
            var facts: [Analysis.Facts] = []
            let rows = try await connection.query("""
                SELECT session_id, start_time, skill_group, agents, flags, first_response_ms, handle_ms, messages, score,
                       webhook_answered, fallback, queued_assignments
                FROM session_facts WHERE start_time >= \(from) AND start_time < \(to) ORDER BY start_time DESC LIMIT \(limit)
                """, logger: Self.silent)
            for try await row in rows {
                let (session, start, group, agents, flags, first, handle, messages, score, webhook, fallback, queued) = try row.decode(
                    (String, Int64, Int64?, String, Int64, Int64?, Int64?, Int64, Int64?, Int64, Int64, Int64).self)
                facts.append(.stored(session: session, startTime: start, skillGroup: group.map { Int($0) }, agents: agents, flags: Int(flags),
                                     firstResponseMs: first, handleMs: handle, messages: Int(messages), score: score.map { Int($0) },
                                     webhookAnswered: Int(webhook), fallback: Int(fallback), queuedAssignments: Int(queued)))
            }
            // Open sessions are computed now (ended ones stored before facts were kept are
            // computed at start, by `backfillSessionFacts`).
            let pending = try await connection.rows("""
                SELECT s.summary FROM conversations c JOIN session_records s ON s.session_id = c.open_session_id
                WHERE c.open_session_id IS NOT NULL AND s.start_time >= \(from) AND s.start_time < \(to)
                ORDER BY s.start_time DESC LIMIT \(max(limit - facts.count, 0))
                """)
            for row in pending {
                let summary = try decoder.decode(SessionSummary.self, from: try row.value("summary") as Data)
                facts.append(Analysis.Facts(try await Self.input(connection, summary, decoder: decoder)))
            }
            return facts
        }
    }

    package func backfillSessionFacts() async throws -> Int {
        let decoder = decoder
        var total = 0
        while true {
            let done = try await transaction { connection in
                let rows = try await connection.rows("""
                    SELECT s.summary FROM session_records s LEFT JOIN session_facts f ON f.session_id = s.session_id
                    WHERE f.session_id IS NULL AND convert_from(s.summary, 'UTF8')::jsonb ? 'endTime' LIMIT 500
                    """)
                for row in rows {
                    try await Self.keepFacts(connection, of: try decoder.decode(SessionSummary.self, from: try row.value("summary") as Data), decoder: decoder)
                }
                return rows.count
            }
            total += done
            if done < 500 { return total }
        }
    }

    /// Computes and keeps the facts of an ended session from its summary and its stored messages.
    static func keepFacts(_ connection: PostgresConnection, of summary: SessionSummary, decoder: JSONDecoder) async throws {
        let facts = Analysis.Facts(try await input(connection, summary, decoder: decoder))
        try await connection.exec("""
            INSERT INTO session_facts (session_id, start_time, skill_group, agents, flags, first_response_ms, handle_ms, messages, score,
                                       webhook_answered, fallback, queued_assignments)
            VALUES (\(facts.session.rawValue), \(facts.startTime.unixMillis), \(facts.skillGroup.map { Int64($0.rawValue) }), \(facts.storedAgents),
                    \(Int64(facts.flags)), \(facts.firstResponseMs), \(facts.handleMs), \(Int64(facts.messages)), \(facts.score.map { Int64($0) }),
                    \(Int64(facts.webhookAnswered)), \(Int64(facts.fallback)), \(Int64(facts.queuedAssignments)))
            ON CONFLICT (session_id) DO UPDATE SET start_time = EXCLUDED.start_time, skill_group = EXCLUDED.skill_group, agents = EXCLUDED.agents,
                flags = EXCLUDED.flags, first_response_ms = EXCLUDED.first_response_ms, handle_ms = EXCLUDED.handle_ms, messages = EXCLUDED.messages,
                score = EXCLUDED.score, webhook_answered = EXCLUDED.webhook_answered, fallback = EXCLUDED.fallback,
                queued_assignments = EXCLUDED.queued_assignments
            """)
    }

    private static let silent = Logger(label: "deskbridge.postgres.analysis", factory: { _ in SwiftLogNoOpLogHandler() })

    private static func input(_ connection: PostgresConnection, _ summary: SessionSummary, decoder: JSONDecoder) async throws -> Analysis.Input {
        let messages = try await connection.rows("SELECT record FROM message_records WHERE session_id = \(summary.session.rawValue) ORDER BY id")
            .map { try decoder.decode(MessageRecord.self, from: try $0.value("record") as Data) }
        return Analysis.Input(summary: summary, messages: messages)
    }
}
