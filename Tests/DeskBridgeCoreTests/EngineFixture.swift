import DeskBridgeConfig
import DeskBridgeCore
import Foundation

/// A configuration for core tests: the shipped flow shape with two agents.
enum EngineFixture {
    static let yaml = """
        channel: { bot: { displayName: "Acme Assistant" } }
        desk:
          secretKey: s
          prompts: { connecting: "Connecting…", connected: "You are chatting with ${StaffNickName} (${StaffNo}).", failed: "Nobody is online." }
          closure: { closureMessage: "Chat ended." }
          queue: { prompt: "You are number $QueuePosition; $WaitNo ahead." }
          skillGroups: [ { id: 1, name: Support, receptionLimit: 1 } ]
          agents:
            - { id: "lena@acme.example", nickname: Lena, staffNo: "1001", avatarImage: "https://cdn.example/lena.png", skillGroups: [ { id: 1 } ] }
            - { id: "omar@acme.example", nickname: Omar, staffNo: "1002", skillGroups: [ { id: 1 } ] }
        flows:
          main:
            start: welcome
            nodes:
              welcome: { type: message, text: "Hello ${UserName}!", next: menu }
              menu:
                type: branch
                header: "How can we help?"
                errorPrompt: "Please pick an option."
                items:
                  - { content: "Opening hours", next: hours }
                  - { content: "Talk to a person", keywords: [human], next: human }
              hours: { type: message, text: "We are open 9 to 18.", next: done }
              human: { type: transfer, next: done }
              done: { type: end }
        """

    static let config = try! ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
    static let engine = ConversationEngine(config: config)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func routing(lena: DeskConfig.AgentStatus = .Available, lenaLoad: Int = 0, omar: DeskConfig.AgentStatus = .Offline, queued: Int = 0) -> RoutingSnapshot {
        RoutingSnapshot(agents: [
            AgentSnapshot(id: "lena@acme.example", status: lena, load: lenaLoad, lastAssignedAt: nil, groups: [1: 3]),
            AgentSnapshot(id: "omar@acme.example", status: omar, load: 0, lastAssignedAt: nil, groups: [1: 3]),
        ], queueLengths: [1: queued])
    }

    static func webhook(_ payload: String, conversation: String = "conv-1") -> GoogleWebhook {
        let body = #"{"agent":"brands/b/agents/a","conversationId":"\#(conversation)","requestId":"\#(UUID().uuidString)","context":{"userInfo":{"displayName":"Rosa"}},"# + payload + "}"
        guard case .event(let hook) = try! WebhookBody.decode(Data(body.utf8)) else { fatalError("fixture is not an event") }
        return hook
    }

    static func text(_ text: String) -> GoogleWebhook { webhook(#""message":{"messageId":"\#(UUID().uuidString)","text":"\#(text)"}"#) }
    static func chip(_ postback: String, _ text: String) -> GoogleWebhook { webhook(#""suggestionResponse":{"postbackData":"\#(postback)","text":"\#(text)"}"#) }
    static let liveAgent = webhook(#""userStatus":{"requestedLiveAgent":true}"#)
    static func typing(_ value: Bool) -> GoogleWebhook { webhook(#""userStatus":{"isTyping":\#(value)}"#) }
}

/// Readable views of effects for assertions.
extension ConversationEffect {
    var googleMessage: GoogleMessage? { if case .google(.message(let message)) = self { message } else { nil } }
    var googleEvent: GoogleEvent.Kind? { if case .google(.event(_, let event)) = self { event.eventType } else { nil } }
    var sessionEvent: String? { if case .notify(let n) = self { n.Event } else { nil } }

    /// "BOT: text", "HUMAN Lena: text", "JOINED Lena", "LEFT Lena", "+lena", "-lena".
    var line: String? {
        switch self {
        case .google(.message(let m)):
            let who = m.representative.representativeType == .BOT ? "BOT" : "HUMAN \(m.representative.displayName ?? "")"
            return "\(who): \(m.text ?? m.fallback ?? "")"
        case .google(.event(_, let e)):
            return "\(e.eventType == .REPRESENTATIVE_JOINED ? "JOINED" : e.eventType == .REPRESENTATIVE_LEFT ? "LEFT" : e.eventType.rawValue) \(e.representative.displayName ?? "")"
        case .occupy(let agent, _): return "+\(agent)"
        case .release(let agent): return "-\(agent)"
        default: return nil
        }
    }
}

extension Array where Element == ConversationEffect {
    var lines: [String] { compactMap(\.line) }
}
