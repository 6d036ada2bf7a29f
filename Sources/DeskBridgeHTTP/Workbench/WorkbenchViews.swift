import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// What the workbench page reads: plain values built from the store, never the stored documents.
enum WorkbenchViews {
    struct Me: Encodable {
        var agentId: String
        var nickname: String
        var avatarImage: String?
        /// The desk's status (`Available`, `Busy`, `Rest`, `Offline`).
        var status: String
        /// The SDK's finer status (`free`, `busy`, `arrange`, `notReady`, `rest`, `offline`).
        var seatStatus: String
        var restReason: String?
        /// What a short break may be for (`desk.restReasons`).
        var restReasons: [String]
        var csrfToken: String
        var groups: [Group]
        /// The business pages to show beside the conversation (`desk.extensions`, enabled ones).
        var extensions: [Extension]
    }

    struct Extension: Encodable {
        var name: String
        var url: String
        var alwaysVisible: Bool
    }

    struct Group: Encodable {
        var id: Int
        var name: String
        var waiting: Int
    }

    struct SessionRow: Encodable {
        var sessionId: String
        var clientUserId: String
        var userName: String
        /// `WaitingForAgentAnswering` (an offer to this agent), `Agent` (held by it) or `Queueing`.
        var state: String
        var offerExpiresAt: Int64?
        var skillGroupId: Int?
    }

    struct Sessions: Encodable {
        var sessions: [SessionRow]
        /// Waiting in the queues of the agent's groups, oldest first (`state` `Queueing`).
        var queued: [SessionRow]
        var groups: [Group]
        /// The agent's status now, as in `Me`.
        var seatStatus: String
        var restReason: String?
        /// The change the page has seen once it has read this (`Last-Event-ID` to resume from).
        var lastEventId: UInt64
    }

    struct Message: Encodable {
        var key: String
        var time: Int64
        var direction: String
        var sender: String
        var agentId: String?
        var text: String
        /// `pending`, `failed`, `sent`, `delivered` or `read` (outbound only; see `delivery`).
        var delivery: String?
        /// A picture the workbench shows inline: a website visitor's upload (DeskBridge's own file).
        var pictureUrl: String?
    }

    struct Transcript: Encodable {
        var sessionId: String
        var clientUserId: String
        var userName: String
        var state: String
        var holder: String?
        /// Who ended it (`client`, `seat`, `admin`, `timer`), once ended.
        var closeBy: String?
        var messages: [Message]
        /// Until when (unix ms) the user is typing, if it is now.
        var userTypingUntil: Int64?
    }

    struct Target: Encodable {
        var agentId: String
        var nickname: String
        var status: String
        var load: Int
        var groups: [Int]
    }

    struct QuickReplies: Encodable {
        struct Group: Encodable {
            var group: String
            var replies: [String]
        }
        var groups: [Group]
    }

    struct Targets: Encodable {
        var agents: [Target]
        var groups: [Group]
    }

    static func groups(_ desk: DeskConfig, of agent: DeskConfig.Agent?, routing: RoutingSnapshot) -> [Group] {
        let ids = Set(agent?.skillGroups.map(\.id) ?? desk.skillGroups.map(\.id))
        return desk.skillGroups.filter { ids.contains($0.id) }.map { Group(id: $0.id.rawValue, name: $0.name, waiting: routing.queueLengths[$0.id] ?? 0) }
    }

    /// Website visitors an agent may start a chat with (`desk.proactive`).
    struct Visitors: Encodable {
        var enabled: Bool
        var visitors: [Visitor]
    }

    struct Visitor: Encodable {
        var clientUserId: String
        var userName: String
        /// The chat page is open (on this replica) right now.
        var onPage: Bool
        /// When this agent's last session with the visitor ended.
        var lastServedAt: Int64?
    }

    static func row(_ state: ConversationState) -> SessionRow? {
        guard let session = state.session else { return nil }
        return SessionRow(sessionId: session.id.rawValue, clientUserId: state.clientUserId.rawValue, userName: state.profile.displayName ?? "User",
                          state: session.deskState, offerExpiresAt: session.offer?.until.unixMillis, skillGroupId: session.skillGroup?.rawValue)
    }

    /// One session's messages, in order, with the delivery state of each outbound one.
    static func transcript(_ records: ConversationRecords, session: SessionID, state: ConversationState?, now: Date) -> Transcript {
        let open = state?.session?.id == session ? state?.session : nil
        let receipts = open?.receipts ?? records.sessions.first { $0.session == session }?.receipts ?? [:]
        let web = state?.key.isWebChannel ?? false
        let messages = records.messages.filter { $0.session == session }.map { record in
            Message(key: record.msgKey, time: record.time.unixMillis, direction: record.direction.rawValue, sender: record.sender.rawValue,
                    agentId: record.agentId?.rawValue, text: text(record.msgBody),
                    delivery: delivery(record, records.deliveries, receipts: receipts, conversation: state?.key.conversationId ?? "", web: web),
                    pictureUrl: record.msgBody.lazy.compactMap(Self.ownPicture).first)
        }
        return Transcript(sessionId: session.rawValue, clientUserId: state?.clientUserId.rawValue ?? "", userName: state?.profile.displayName ?? "User",
                          state: open?.deskState ?? "Ended", holder: open?.ownership.holder?.rawValue,
                          closeBy: records.sessions.first { $0.session == session }?.closeBy, messages: messages,
                          userTypingUntil: open?.userTypingUntil.flatMap { $0 > now ? $0.unixMillis : nil })
    }

    /// An uploaded picture's path (`/web/im/files/…`): served by this desk, so shown inline;
    /// other pictures stay links in the text (no third party learns who looks at them).
    private static func ownPicture(_ element: MsgElement) -> String? {
        guard case .image(let image) = element, let url = image.originalURL.flatMap(URL.init(string:)), WebUploads.isFilePath(url.path) else { return nil }
        return url.path
    }

    /// `pending`, `failed`, then what the user's receipts say (`read`, `delivered`); without a
    /// receipt a call Google took is `delivered`, and a website message is `sent` (it waits in
    /// the store until the visitor's page shows it and says so).
    private static func delivery(_ record: MessageRecord, _ deliveries: [String: OutboxItem], receipts: [String: String],
                                 conversation: String, web: Bool) -> String? {
        guard record.direction == .Out else { return nil }
        let states = record.callIds.compactMap { deliveries[$0]?.state }
        if states.contains(.failed) { return "failed" }
        if states.isEmpty || states.contains(.pending) { return "pending" }
        let seen = record.callIds.compactMap { receipts["conversations/\(conversation)/messages/\($0)"] }
        if seen.contains("READ") { return "read" }
        if seen.contains("DELIVERED") { return "delivered" }
        return web ? "sent" : "delivered"
    }

    /// A message as a person reads it: text as sent, desk messages as the user sees them.
    static func text(_ body: [MsgElement]) -> String {
        body.map { element -> String in
            switch element {
            case .text(let text): return text
            case .image(let image): return "[image] " + (image.originalURL ?? "")
            case .other(let type): return "[\(type)]"
            case .custom(let custom):
                // The desk's own flags have nothing to render for the user; the agent sees what they say.
                switch DeskCustomMessage(data: custom.Data) {
                case .seatStatus(let inSeat)?: return inSeat ? "[an agent joined]" : "[the agent left]"
                case .satisfactionSelection(_, let content, _)?: return "[rated: \(content)]"
                default: break
                }
                let shown = TencentToGoogle.render([element], msgKey: "workbench", as: Representative(.BOT, displayName: nil, avatarImage: nil),
                                                   offerLiveAgent: false).messages
                // The choices a menu offers show as the user sees them: [Track it] [Return it].
                let lines = shown.compactMap { message -> String? in
                    let choices = (message.suggestions ?? []).compactMap { suggestion -> String? in
                        switch suggestion {
                        case .reply(let text, _), .openURL(let text, _, _): "[\(text)]"
                        case .liveAgentRequest: nil
                        }
                    }
                    let line = message.text ?? message.fallback
                    return choices.isEmpty ? line : [line, choices.joined(separator: " ")].compactMap { $0 }.joined(separator: "\n")
                }
                return lines.isEmpty ? (custom.Desc ?? "[\(DeskCustomMessage(data: custom.Data)?.src ?? "custom") message]") : lines.joined(separator: "\n")
            }
        }.joined(separator: "\n")
    }
}
