import Logging
import PostgresNIO

/// Versioned migrations for PostgreSQL, applied at start-up.
///
/// Each replica runs `migrate` when it starts. The whole run is one transaction holding a
/// transaction-scoped advisory lock, so replicas starting together apply each migration
/// exactly once: the second waits for the first to commit, then finds nothing left to do.
/// Migrations are append-only; a released one is never edited.
enum PostgresSchema {
    struct Migration {
        var version: String
        var statements: [PostgresQuery]
    }

    /// An arbitrary constant naming DeskBridge's migration lock among advisory locks.
    static let migrationLock: Int64 = 0x4465_736B_4272_6467  // "DeskBrdg"

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS deskbridge_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM deskbridge_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try await connection.query(statement, logger: logger) }
                try await connection.query("INSERT INTO deskbridge_migrations (version) VALUES (\(migration.version))", logger: logger)
                logger.info("applied PostgreSQL migration", metadata: ["version": "\(migration.version)"])
            }
        }
    }

    /// The same tables as the SQLite schema, in PostgreSQL's types; times are integer milliseconds.
    static let migrations: [Migration] = [
        Migration(version: "v1", statements: [
            """
            CREATE TABLE conversations (
                key TEXT PRIMARY KEY,
                agent TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                client_user_id TEXT NOT NULL,
                state BYTEA,
                version BIGINT NOT NULL DEFAULT 0,
                inbound_seq BIGINT NOT NULL DEFAULT 0,
                processed_seq BIGINT NOT NULL DEFAULT 0,
                open_session_id TEXT,
                last_session_id TEXT,
                queued_group BIGINT,
                queued_at BIGINT,
                session_state TEXT,
                timer_due BIGINT,
                last_client_ip TEXT
            )
            """,
            "CREATE INDEX conversations_client ON conversations(client_user_id)",
            "CREATE INDEX conversations_open_session ON conversations(open_session_id)",
            "CREATE INDEX conversations_last_session ON conversations(last_session_id)",
            "CREATE INDEX conversations_pending ON conversations(key) WHERE inbound_seq > processed_seq",
            "CREATE INDEX conversations_queue ON conversations(queued_at, key) WHERE queued_at IS NOT NULL",
            "CREATE INDEX conversations_timers ON conversations(timer_due) WHERE timer_due IS NOT NULL",
            """
            CREATE TABLE inbound (
                conversation TEXT NOT NULL,
                seq BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                body BYTEA NOT NULL,
                client_ip TEXT,
                internal BOOLEAN NOT NULL DEFAULT false,
                PRIMARY KEY (conversation, seq)
            )
            """,
            "CREATE TABLE dedupe (key TEXT PRIMARY KEY, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE agents (
                id TEXT PRIMARY KEY,
                position BIGINT NOT NULL,
                status TEXT NOT NULL,
                load BIGINT NOT NULL DEFAULT 0 CHECK (load >= 0),
                last_assigned_at BIGINT,
                groups TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY,
                lane TEXT NOT NULL,
                agent TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                target TEXT NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                body BYTEA NOT NULL,
                call_id TEXT NOT NULL,
                client_ip TEXT,
                state BIGINT NOT NULL DEFAULT 0,
                attempts BIGINT NOT NULL DEFAULT 0,
                first_attempt_at BIGINT,
                next_attempt_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX outbox_lane ON outbox(lane, id) WHERE state = 0",
            "CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 0",
            "CREATE INDEX outbox_lane_all ON outbox(lane, call_id)",
            """
            CREATE TABLE session_records (
                session_id TEXT PRIMARY KEY,
                conversation TEXT NOT NULL,
                start_time BIGINT NOT NULL,
                summary BYTEA NOT NULL
            )
            """,
            "CREATE INDEX session_records_conversation ON session_records(conversation, start_time)",
            """
            CREATE TABLE message_records (
                id BIGSERIAL PRIMARY KEY,
                conversation TEXT NOT NULL,
                session_id TEXT NOT NULL,
                record BYTEA NOT NULL
            )
            """,
            "CREATE INDEX message_records_conversation ON message_records(conversation, id)",
        ]),
        // Retention sweeps by age, and the audit trail.
        Migration(version: "v2", statements: [
            "ALTER TABLE outbox ADD COLUMN body_pruned BOOLEAN NOT NULL DEFAULT false",
            "CREATE INDEX inbound_received ON inbound(received_at)",
            "CREATE INDEX outbox_finished ON outbox(finished_at) WHERE state <> 0",
            "CREATE INDEX outbox_unpruned ON outbox(finished_at) WHERE state <> 0 AND NOT body_pruned",
            "CREATE INDEX dedupe_created ON dedupe(created_at)",
            "CREATE INDEX message_records_session ON message_records(session_id)",
            "CREATE INDEX session_records_start ON session_records(start_time)",
            """
            CREATE TABLE audit (
                id BIGSERIAL PRIMARY KEY,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL
            )
            """,
        ]),
        Migration(version: "v3", statements: [
            "CREATE TABLE blacklist (client_user_id TEXT PRIMARY KEY, reason TEXT NOT NULL, since BIGINT NOT NULL, by TEXT NOT NULL)",
        ]),
        Migration(version: "v4", statements: ["ALTER TABLE agents ADD COLUMN status_since BIGINT"]),
        Migration(version: "v5", statements: [
            "CREATE TABLE uploads (id TEXT PRIMARY KEY, conversation TEXT NOT NULL, agent TEXT NOT NULL, conversation_id TEXT NOT NULL, content_type TEXT NOT NULL, bytes BYTEA NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE INDEX uploads_conversation ON uploads(conversation)",
            "CREATE INDEX uploads_created ON uploads(created_at)",
        ]),
        // Signed-in pages' sessions (by the hash of their token) and forced-offline agents.
        Migration(version: "v6", statements: [
            "CREATE TABLE sign_ins (token_hash TEXT PRIMARY KEY, realm TEXT NOT NULL, agent_id TEXT NOT NULL, csrf_token TEXT NOT NULL, expires_at BIGINT NOT NULL)",
            "CREATE INDEX sign_ins_agent ON sign_ins(agent_id, realm)",
            "CREATE INDEX sign_ins_expires ON sign_ins(expires_at)",
            "CREATE TABLE forced_offline (agent_id TEXT PRIMARY KEY, since BIGINT NOT NULL)",
        ]),
        // What an agent's status means more closely: a rest reason, wrap-up, not ready.
        Migration(version: "v7", statements: ["ALTER TABLE agents ADD COLUMN status_reason TEXT"]),
        // Quick replies edited at run time, and which YAML sections have seeded the store.
        Migration(version: "v8", statements: [
            "CREATE TABLE quick_replies (id BIGSERIAL PRIMARY KEY, group_name TEXT NOT NULL, text TEXT NOT NULL)",
            "CREATE TABLE store_seeds (name TEXT PRIMARY KEY)",
        ]),
        // Run-time settings, one JSON document each (`desk`: rest reasons, sign-in status, proactive contact).
        Migration(version: "v9", statements: ["CREATE TABLE store_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)"]),
        // Every status an agent has had, written by a trigger so that no path can miss one.
        Migration(version: "v10", statements: [
            "CREATE TABLE agent_status_history (id BIGSERIAL PRIMARY KEY, agent TEXT NOT NULL, at BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT)",
            "CREATE INDEX agent_status_history_at ON agent_status_history (at)",
            """
            CREATE FUNCTION deskbridge_agent_status_history() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status OR OLD.status_reason IS DISTINCT FROM NEW.status_reason THEN
                    INSERT INTO agent_status_history (agent, at, status, reason)
                    VALUES (NEW.id, COALESCE(NEW.status_since, (extract(epoch FROM clock_timestamp()) * 1000)::bigint), NEW.status, NEW.status_reason);
                END IF;
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER agents_status_history AFTER INSERT OR UPDATE OF status, status_reason ON agents
            FOR EACH ROW EXECUTE FUNCTION deskbridge_agent_status_history()
            """,
            """
            INSERT INTO agent_status_history (agent, at, status, reason)
            SELECT id, COALESCE(status_since, (extract(epoch FROM clock_timestamp()) * 1000)::bigint), status, status_reason FROM agents
            """,
        ]),
        // The console over months of records: a row of facts per ended session for the analysis,
        // and the messages' text for the keyword search, with a trigram index where the server has
        // pg_trgm (without it the search still works, by reading every text of the range).
        Migration(version: "v11", statements: [
            """
            CREATE TABLE session_facts (
                session_id TEXT PRIMARY KEY REFERENCES session_records(session_id) ON DELETE CASCADE, start_time BIGINT NOT NULL,
                skill_group BIGINT, agents TEXT NOT NULL, flags BIGINT NOT NULL, first_response_ms BIGINT, handle_ms BIGINT, messages BIGINT NOT NULL,
                score BIGINT, webhook_answered BIGINT NOT NULL, fallback BIGINT NOT NULL, queued_assignments BIGINT NOT NULL
            )
            """,
            "CREATE INDEX session_facts_start ON session_facts(start_time)",
            "ALTER TABLE message_records ADD COLUMN text TEXT",
            """
            UPDATE message_records SET text = (
                SELECT string_agg(e -> 'MsgContent' ->> 'Text', E'\\n') FROM jsonb_array_elements(convert_from(record, 'UTF8')::jsonb -> 'msgBody') e
                WHERE e ->> 'MsgType' = 'TIMTextElem')
            """,
            "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm is not available'; END $$",
            """
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                    -- Without the pending list, each insert updates the index itself: a steady cost
                    -- instead of an occasional flush that stalls one commit for seconds.
                    CREATE INDEX message_records_text ON message_records USING gin (text gin_trgm_ops) WITH (fastupdate = off);
                END IF;
            END $$
            """,
        ]),
    ]
}
