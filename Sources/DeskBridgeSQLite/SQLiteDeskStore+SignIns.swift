import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func putSignIn(_ signIn: StoredSignIn) async throws {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO sign_ins (token_hash, realm, agent_id, csrf_token, expires_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [signIn.tokenHash, signIn.realm, signIn.agent.rawValue, signIn.csrfToken, signIn.expires.unixMillis])
        }
    }

    package func signIn(tokenHash: String, realm: String, now: Date, consume: Bool) async throws -> StoredSignIn? {
        let arguments: StatementArguments = [tokenHash, realm, now.unixMillis]
        let condition = "token_hash = ? AND realm = ? AND expires_at > ?"
        if consume {
            return try await write { db in
                try Row.fetchOne(db.cachedStatement(sql: "DELETE FROM sign_ins WHERE \(condition) RETURNING *"), arguments: arguments).map(Self.signIn)
            }
        }
        return try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sign_ins WHERE \(condition)"), arguments: arguments).map(Self.signIn)
        }
    }

    package func endSignIns(_ scope: SignInScope) async throws -> Int {
        try await write { db in
            switch scope {
            case .token(let hash):
                try db.cachedStatement(sql: "DELETE FROM sign_ins WHERE token_hash = ?").execute(arguments: [hash])
            case .agent(let agent, let realm):
                try db.cachedStatement(sql: "DELETE FROM sign_ins WHERE agent_id = ? AND realm = ?").execute(arguments: [agent.rawValue, realm])
            case .expired(let date):
                try db.cachedStatement(sql: "DELETE FROM sign_ins WHERE expires_at <= ?").execute(arguments: [date.unixMillis])
            }
            return db.changesCount
        }
    }

    package func signedInAgents(realm: String, now: Date) async throws -> Set<AgentID> {
        try await read { db in
            let ids: [String] = try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT agent_id FROM sign_ins WHERE realm = ? AND expires_at > ?"),
                                                    arguments: [realm, now.unixMillis])
            return Set(ids.map { AgentID($0) })
        }
    }

    package func forcedOffline() async throws -> Set<AgentID> {
        try await read { db in
            let ids: [String] = try String.fetchAll(db.cachedStatement(sql: "SELECT agent_id FROM forced_offline"))
            return Set(ids.map { AgentID($0) })
        }
    }

    package func setForcedOffline(_ agent: AgentID, _ forced: Bool, endingSignInsIn realms: [String], at now: Date) async throws -> Bool {
        try await write { db in
            if forced {
                try db.cachedStatement(sql: "INSERT INTO forced_offline (agent_id, since) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .execute(arguments: [agent.rawValue, now.unixMillis])
            } else {
                try db.cachedStatement(sql: "DELETE FROM forced_offline WHERE agent_id = ?").execute(arguments: [agent.rawValue])
            }
            guard db.changesCount == 1 else { return false }
            for realm in realms where forced {
                try db.cachedStatement(sql: "DELETE FROM sign_ins WHERE agent_id = ? AND realm = ?").execute(arguments: [agent.rawValue, realm])
            }
            return true
        }
    }

    private static func signIn(_ row: Row) -> StoredSignIn {
        StoredSignIn(tokenHash: row["token_hash"], realm: row["realm"], agent: AgentID(row["agent_id"]), csrfToken: row["csrf_token"],
                     expires: Date(unixMillis: row["expires_at"]))
    }
}
