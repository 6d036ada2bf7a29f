import AsyncHTTPClient
import DeskBridgeCore
import Foundation
import GRDB
import NIOCore

/// Payloads shared by every scenario, so the ceiling and DeskBridge see the same bytes.
enum Payload {
    static let token = "bench-client-token"
    static let secret = "bench-desk-secret"

    static func webhook(_ conversation: String, _ index: Int, text: String = "hello") -> Data {
        Data(#"{"agent":"brands/bench/agents/bench","conversationId":"\#(conversation)","requestId":"r-\#(index)","message":{"messageId":"m-\#(index)","text":"\#(text)","createTime":"2024-03-04T08:15:02.123456789Z"},"context":{"userInfo":{"displayName":"Rosa"}},"sendTime":"2024-03-04T08:15:03.000000001Z"}"#.utf8)
    }

    static func request(_ port: Int, _ body: Data) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/business-messages")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Goog-Signature", value: WebhookSignatureVerifier.sign(body: body, key: token))
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    static func desk(_ port: Int, _ path: String, as identifier: String, _ body: [String: Any]) -> HTTPClientRequest {
        let sig = UserSig.generate(identifier: identifier, sdkAppId: 1_400_000_000, secretKey: secret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/\(path)?sdkappid=1400000000&identifier=\(identifier)&usersig=\(sig)&random=1&contenttype=json")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: body)) ?? Data()))
        return request
    }

    static func config(google: Int, database: String, agents: Int = 10) -> String {
        config(google: google, storageURL: "sqlite:\(database)", agents: agents)
    }

    static func config(google: Int, storageURL: String, agents: Int = 10, port: Int = 0, receptionLimit: Int = 100) -> String {
        let roster = (0..<agents).map { "    - { id: agent\($0)@bench.example, nickname: A\($0), status: Available, skillGroups: [ { id: 1 } ] }" }.joined(separator: "\n")
        return """
            server: { host: 127.0.0.1, port: \(port) }
            storage: { url: "\(storageURL)" }
            channel:
              apiBaseURL: http://127.0.0.1:\(google)
              webhook: { clientToken: \(token) }
              retry: { requestTimeoutMs: 5000, initialBackoffMs: 50, maxBackoffMs: 500 }
            desk:
              secretKey: \(secret)
              satisfaction: { sendAfterEnd: false }
              skillGroups: [ { id: 1, name: Support, receptionLimit: \(receptionLimit) } ]
              agents:
            \(roster)
            flows:
              main:
                start: welcome
                nodes:
                  welcome: { type: message, text: "Hello ${UserName}!", next: menu }
                  menu:
                    type: branch
                    header: "How can we help?"
                    errorPrompt: "Please pick an option."
                    items: [ { content: "Opening hours", next: hours }, { content: "Talk to a person", next: human } ]
                  hours: { type: message, text: "We are open 9 to 18.", next: done }
                  human: { type: transfer, next: done }
                  done: { type: end }
            """
    }
}

/// Seeds `count` idle conversations straight into the SQLite file (one transaction), the way
/// the service leaves them: a state document each, nothing pending.
func seedIdleConversations(_ path: String, count: Int, from template: Data) throws {
    let pool = try DatabasePool(path: path)
    try pool.write { db in
        for index in 0..<count {
            let key = "brands/bench/agents/bench/idle-\(index)"
            try db.execute(sql: """
                INSERT INTO conversations (key, agent, conversation_id, client_user_id, state, version, inbound_seq, processed_seq)
                VALUES (?, 'brands/bench/agents/bench', ?, ?, ?, 1, 0, 0)
                """, arguments: [key, "idle-\(index)", ClientUserID.derive(agent: "brands/bench/agents/bench", conversationId: "idle-\(index)").rawValue, template])
        }
    }
}
