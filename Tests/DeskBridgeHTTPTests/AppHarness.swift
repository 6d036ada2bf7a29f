import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgeHTTP
import DeskBridgeServer
import DeskBridgeRuntime
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore

/// Runs the real `buildApplication` on a real port with a SQLite file, against a stand-in Google API.
struct AppHarness {
    let store: any DeskStore
    let client: any TestClientProtocol
    let google: StandInServer

    /// `omarRole`, `roles`, `extraGroups` and `extraAgents` go into the test configuration (`TestConfig.yaml`).
    static func run(store: (any DeskStore)? = nil, omarRole: String = "agent", roles: [String] = [], extraGroups: [String] = [], extraAgents: [String] = [],
                    _ body: @Sendable (AppHarness) async throws -> Void) async throws {
        try await StandInServer.with { google in
            let directory = TestConfig.temporaryDirectory()
            let yaml = TestConfig.yaml(googleURL: google.baseURL, database: directory.appendingPathComponent("db.sqlite").path, omarRole: omarRole,
                                       roles: roles, extraGroups: extraGroups, extraAgents: extraAgents)
            let loaded = try TestConfig.load(yaml, directory: directory)
            let store = try store ?? SQLiteDeskStore(path: loaded.sqlitePath!)
            var overrides = ApplicationOverrides()
            overrides.store = store
            let app = try await buildApplication(loaded, logger: Logger(label: "test"), overrides: overrides)
            try await app.test(.live) { client in try await body(AppHarness(store: store, client: client, google: google)) }
        }
    }

    func post(_ path: String, _ body: Data, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    func webhook(_ body: Data, signature: String?) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("X-Goog-Signature")!] = signature }
        return try await post("/webhooks/business-messages", body, headers: headers)
    }

    func desk(_ path: String, query: String, _ body: Data) async throws -> [String: Any] {
        let answer = try await post("\(path)?\(query)", body)
        if answer.status != .ok { Issue.record("desk APIs always answer HTTP 200, got \(answer.status)") }
        return (try JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
    }

    func storedEvents(_ conversation: String, agent: String = Wire.googleAgent) async throws -> Int {
        try await store.pendingInbound(ConversationKey(agent: agent, conversationId: conversation), afterSeq: 0, limit: 100).count
    }
}

import Testing
