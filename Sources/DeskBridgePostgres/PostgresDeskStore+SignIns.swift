import DeskBridgeCore
import DeskBridgeStore
import Foundation
import PostgresNIO

extension PostgresDeskStore {
    package func putSignIn(_ signIn: StoredSignIn) async throws {
        _ = try await query("""
            INSERT INTO sign_ins (token_hash, realm, agent_id, csrf_token, expires_at)
            VALUES (\(signIn.tokenHash), \(signIn.realm), \(signIn.agent.rawValue), \(signIn.csrfToken), \(signIn.expires.unixMillis))
            """) { _ in () }
    }

    package func signIn(tokenHash: String, realm: String, now: Date, consume: Bool) async throws -> StoredSignIn? {
        let sql: PostgresQuery = consume
            ? "DELETE FROM sign_ins WHERE token_hash = \(tokenHash) AND realm = \(realm) AND expires_at > \(now.unixMillis) RETURNING *"
            : "SELECT * FROM sign_ins WHERE token_hash = \(tokenHash) AND realm = \(realm) AND expires_at > \(now.unixMillis)"
        return try await query(sql) { row in
            StoredSignIn(tokenHash: try row.value("token_hash"), realm: try row.value("realm"), agent: AgentID(try row.value("agent_id")),
                         csrfToken: try row.value("csrf_token"), expires: Date(unixMillis: try row.value("expires_at")))
        }.first
    }

    package func endSignIns(_ scope: SignInScope) async throws -> Int {
        let sql: PostgresQuery = switch scope {
        case .token(let hash): "DELETE FROM sign_ins WHERE token_hash = \(hash) RETURNING 1"
        case .agent(let agent, let realm): "DELETE FROM sign_ins WHERE agent_id = \(agent.rawValue) AND realm = \(realm) RETURNING 1"
        case .expired(let date): "DELETE FROM sign_ins WHERE expires_at <= \(date.unixMillis) RETURNING 1"
        }
        return try await query(sql) { _ in () }.count
    }

    package func signedInAgents(realm: String, now: Date) async throws -> Set<AgentID> {
        Set(try await query("SELECT DISTINCT agent_id FROM sign_ins WHERE realm = \(realm) AND expires_at > \(now.unixMillis)") { row in
            AgentID(try row.value("agent_id"))
        })
    }

    package func forcedOffline() async throws -> Set<AgentID> {
        Set(try await query("SELECT agent_id FROM forced_offline") { row in AgentID(try row.value("agent_id")) })
    }

    package func setForcedOffline(_ agent: AgentID, _ forced: Bool, endingSignInsIn realms: [String], at now: Date) async throws -> Bool {
        try await transaction { connection in
            let changed = forced
                ? try await connection.rows("""
                    INSERT INTO forced_offline (agent_id, since) VALUES (\(agent.rawValue), \(now.unixMillis)) ON CONFLICT DO NOTHING RETURNING 1
                    """).count
                : try await connection.rows("DELETE FROM forced_offline WHERE agent_id = \(agent.rawValue) RETURNING 1").count
            guard changed == 1 else { return false }
            for realm in realms where forced {
                try await connection.exec("DELETE FROM sign_ins WHERE agent_id = \(agent.rawValue) AND realm = \(realm)")
            }
            return true
        }
    }
}
