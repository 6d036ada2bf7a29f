import Foundation
import GRDB

/// Versioned migrations, applied at start-up inside one transaction each.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE conversations (
                    key TEXT PRIMARY KEY,
                    agent TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    client_user_id TEXT NOT NULL,
                    state BLOB,
                    version INTEGER NOT NULL DEFAULT 0,
                    inbound_seq INTEGER NOT NULL DEFAULT 0,
                    processed_seq INTEGER NOT NULL DEFAULT 0,
                    open_session_id TEXT,
                    last_session_id TEXT,
                    queued_group INTEGER,
                    queued_at INTEGER,
                    session_state TEXT,
                    timer_due INTEGER,
                    last_client_ip TEXT
                );
                CREATE INDEX conversations_client ON conversations(client_user_id);
                CREATE INDEX conversations_open_session ON conversations(open_session_id);
                CREATE INDEX conversations_last_session ON conversations(last_session_id);
                CREATE INDEX conversations_pending ON conversations(key) WHERE inbound_seq > processed_seq;
                CREATE INDEX conversations_queue ON conversations(queued_at) WHERE queued_at IS NOT NULL;
                CREATE INDEX conversations_timers ON conversations(timer_due) WHERE timer_due IS NOT NULL;

                CREATE TABLE inbound (
                    conversation TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    client_ip TEXT,
                    internal INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (conversation, seq)
                ) WITHOUT ROWID;

                CREATE TABLE dedupe (key TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;

                CREATE TABLE agents (
                    id TEXT PRIMARY KEY,
                    position INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    load INTEGER NOT NULL DEFAULT 0,
                    last_assigned_at INTEGER,
                    groups TEXT NOT NULL
                );

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    lane TEXT NOT NULL,
                    agent TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    target TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    body BLOB NOT NULL,
                    call_id TEXT NOT NULL,
                    client_ip TEXT,
                    state INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    first_attempt_at INTEGER,
                    next_attempt_at INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_until INTEGER,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    finished_at INTEGER
                );
                CREATE INDEX outbox_lane ON outbox(lane, id) WHERE state = 0;
                CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 0;
                CREATE INDEX outbox_lane_all ON outbox(lane, call_id);

                CREATE TABLE session_records (
                    session_id TEXT PRIMARY KEY,
                    conversation TEXT NOT NULL,
                    start_time INTEGER NOT NULL,
                    summary BLOB NOT NULL
                );
                CREATE INDEX session_records_conversation ON session_records(conversation, start_time);
                CREATE TABLE message_records (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation TEXT NOT NULL,
                    session_id TEXT NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX message_records_conversation ON message_records(conversation, id);
                """)
        }
        migrator.registerMigration("v2") { db in
            // Retention sweeps by age, and the audit trail.
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN body_pruned INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX inbound_received ON inbound(received_at);
                CREATE INDEX outbox_finished ON outbox(finished_at) WHERE state <> 0;
                CREATE INDEX outbox_unpruned ON outbox(finished_at) WHERE state <> 0 AND body_pruned = 0;
                CREATE INDEX dedupe_created ON dedupe(created_at);
                CREATE INDEX message_records_session ON message_records(session_id);
                CREATE INDEX session_records_start ON session_records(start_time);
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE blacklist (client_user_id TEXT PRIMARY KEY, reason TEXT NOT NULL, since INTEGER NOT NULL, by TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE agents ADD COLUMN status_since INTEGER")
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                CREATE TABLE uploads (id TEXT PRIMARY KEY, conversation TEXT NOT NULL, agent TEXT NOT NULL, conversation_id TEXT NOT NULL, content_type TEXT NOT NULL, bytes BLOB NOT NULL, created_at INTEGER NOT NULL);
                CREATE INDEX uploads_conversation ON uploads(conversation);
                CREATE INDEX uploads_created ON uploads(created_at);
                """)
        }
        migrator.registerMigration("v6") { db in
            // Signed-in pages' sessions (by the hash of their token) and forced-offline agents.
            try db.execute(sql: """
                CREATE TABLE sign_ins (token_hash TEXT PRIMARY KEY, realm TEXT NOT NULL, agent_id TEXT NOT NULL, csrf_token TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX sign_ins_agent ON sign_ins(agent_id, realm);
                CREATE INDEX sign_ins_expires ON sign_ins(expires_at);
                CREATE TABLE forced_offline (agent_id TEXT PRIMARY KEY, since INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v7") { db in
            // What an agent's status means more closely: a rest reason, wrap-up, not ready.
            try db.execute(sql: "ALTER TABLE agents ADD COLUMN status_reason TEXT")
        }
        migrator.registerMigration("v8") { db in
            // Quick replies edited at run time, and which YAML sections have seeded the store.
            try db.execute(sql: """
                CREATE TABLE quick_replies (id INTEGER PRIMARY KEY AUTOINCREMENT, group_name TEXT NOT NULL, text TEXT NOT NULL);
                CREATE TABLE store_seeds (name TEXT PRIMARY KEY) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v9") { db in
            // Run-time settings, one JSON document each (`desk`: rest reasons, sign-in status, proactive contact).
            try db.execute(sql: "CREATE TABLE store_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration("v10") { db in
            // Every status an agent has had (Tencent's DescribeStaffStatusHistory and the day's
            // durations), written by triggers so that no path that sets a status can miss it.
            // A row inserted without a stamp (a seeded agent) is stamped with the database's clock.
            try db.execute(sql: """
                CREATE TABLE agent_status_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, agent TEXT NOT NULL, at INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT
                );
                CREATE INDEX agent_status_history_at ON agent_status_history (at);
                CREATE TRIGGER agents_status_added AFTER INSERT ON agents BEGIN
                    INSERT INTO agent_status_history (agent, at, status, reason)
                    VALUES (NEW.id, COALESCE(NEW.status_since, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), NEW.status, NEW.status_reason);
                END;
                CREATE TRIGGER agents_status_changed AFTER UPDATE OF status, status_reason ON agents
                WHEN OLD.status IS NOT NEW.status OR OLD.status_reason IS NOT NEW.status_reason BEGIN
                    INSERT INTO agent_status_history (agent, at, status, reason)
                    VALUES (NEW.id, COALESCE(NEW.status_since, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), NEW.status, NEW.status_reason);
                END;
                INSERT INTO agent_status_history (agent, at, status, reason)
                    SELECT id, COALESCE(status_since, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), status, status_reason FROM agents;
                """)
        }
        migrator.registerMigration("v11") { db in
            // The console over months of records: a row of facts per ended session for the
            // analysis (kept in start-time order, so a range is read straight from the table), and the messages' text in a trigram full-text index for the keyword search
            // (kept in step with message_records by triggers, so a purge or an erasure takes it too).
            try db.execute(sql: """
                CREATE TABLE session_facts (
                    start_time INTEGER NOT NULL, session_id TEXT NOT NULL UNIQUE, skill_group INTEGER, agents TEXT NOT NULL, flags INTEGER NOT NULL,
                    first_response_ms INTEGER, handle_ms INTEGER, messages INTEGER NOT NULL, score INTEGER,
                    webhook_answered INTEGER NOT NULL, fallback INTEGER NOT NULL, queued_assignments INTEGER NOT NULL,
                    PRIMARY KEY (start_time, session_id)
                ) WITHOUT ROWID;
                CREATE TRIGGER session_records_deleted AFTER DELETE ON session_records BEGIN
                    DELETE FROM session_facts WHERE session_id = OLD.session_id;
                END;
                ALTER TABLE message_records ADD COLUMN text TEXT;
                UPDATE message_records SET text = (
                    SELECT group_concat(json_extract(e.value, '$.MsgContent.Text'), char(10)) FROM json_each(CAST(record AS TEXT), '$.msgBody') e
                    WHERE json_extract(e.value, '$.MsgType') = 'TIMTextElem');
                CREATE VIRTUAL TABLE message_text USING fts5(text, tokenize = 'trigram');
                INSERT INTO message_text (rowid, text) SELECT id, text FROM message_records WHERE text IS NOT NULL;
                CREATE TRIGGER message_records_text_added AFTER INSERT ON message_records WHEN NEW.text IS NOT NULL BEGIN
                    INSERT INTO message_text (rowid, text) VALUES (NEW.id, NEW.text);
                END;
                CREATE TRIGGER message_records_text_deleted AFTER DELETE ON message_records WHEN OLD.text IS NOT NULL BEGIN
                    DELETE FROM message_text WHERE rowid = OLD.id;
                END;
                """)
        }
        return migrator
    }
}
