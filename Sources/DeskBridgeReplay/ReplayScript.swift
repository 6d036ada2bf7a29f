import DeskBridgeCore
import Foundation

/// A recorded conversation (the replay format, documented in the README): the configuration it
/// ran with, and its steps in order — what the user and the desk did, what the stand-ins
/// answered, and what DeskBridge was expected to send.
package struct ReplayScript: Decodable, Sendable {
    package var description: String
    /// A whole `deskbridge.yaml` as a block string. `${standin.google}` and `${standin.business}`
    /// name the local stand-ins; without it, `--config FILE` is used.
    package var config: String?
    package var conversation: String
    package var userName: String
    /// Where the manual clock starts (RFC 3339); steps move it with `advance`.
    package var start: String
    package var steps: [ReplayStep]

    private enum CodingKeys: String, CodingKey { case description, config, conversation, userName, start, steps }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        config = try c.decodeIfPresent(String.self, forKey: .config)
        conversation = try c.decodeIfPresent(String.self, forKey: .conversation) ?? "replay-conversation"
        userName = try c.decodeIfPresent(String.self, forKey: .userName) ?? "Rosa"
        start = try c.decodeIfPresent(String.self, forKey: .start) ?? "2024-03-04T10:00:00Z"
        steps = try c.decode([ReplayStep].self, forKey: .steps)
    }
}

/// One step; each is a mapping with one key.
package enum ReplayStep: Decodable, Sendable {
    /// The user types a message.
    case user(String)
    /// The user taps the chip with this text on the latest message that offers it.
    case tap(String)
    /// A Google-style payload as Google sends it (`{userStatus: {requestedLiveAgent: true}}`);
    /// the envelope (agent, conversationId, requestId, context) is added.
    case webhook([String: JSONValue])
    /// A desk API call by an agent or the admin.
    case desk(DeskAction)
    /// Moves the manual clock (seconds).
    case advance(Double)
    /// What the business server answers next: to `OnAssignHuman` (`assignment`) or an interface call (`interface`).
    case answer(assignment: JSONValue?, interface: JSONValue?)
    /// The next Google calls DeskBridge makes, as transcript lines.
    case expect([String])
    /// The next session events the business server receives, by `Event`.
    case events([String])

    package struct DeskAction: Decodable, Sendable {
        /// `identifier`: an agent id, or the admin.
        package var `as`: String
        package var say: String?
        package var end: Bool?
        package var accept: Bool?
        package var transferTo: String?
        package var transferToGroup: Int?
        package var status: String?
        package var state: String?
        /// The `ErrorCode` the call must answer (0 unless given).
        package var expectError: Int?
        /// Expected `get_session_state` fields, e.g. `{CurrentState: Agent, AgentId: lena@acme.example}`.
        package var expectState: [String: String]?
    }

    private enum Keys: String, CodingKey, CaseIterable { case user, tap, webhook, desk, advance, answer, expect, events }
    private struct Answer: Decodable { var assignment: JSONValue?; var interface: JSONValue? }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a step has exactly one of: \(Keys.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        switch key {
        case .user: self = .user(try c.decode(String.self, forKey: .user))
        case .tap: self = .tap(try c.decode(String.self, forKey: .tap))
        case .webhook: self = .webhook(try c.decode([String: JSONValue].self, forKey: .webhook))
        case .desk: self = .desk(try c.decode(DeskAction.self, forKey: .desk))
        case .advance: self = .advance(try c.decode(Double.self, forKey: .advance))
        case .answer:
            let answer = try c.decode(Answer.self, forKey: .answer)
            self = .answer(assignment: answer.assignment, interface: answer.interface)
        case .expect: self = .expect(try c.decode([String].self, forKey: .expect))
        case .events: self = .events(try c.decode([String].self, forKey: .events))
        }
    }
}
