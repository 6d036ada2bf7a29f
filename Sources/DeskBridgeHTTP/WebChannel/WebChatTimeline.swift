import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// What a website visitor's page shows: the conversation's records in order, as the desk's own
/// messages (text, pictures, and the desk custom messages the page renders as Tencent's UIKit
/// does), who sent each, and agents joining and leaving as system lines. Control kinds (typing,
/// seat changes sent by an agent, session ends) are left out: their effects show instead.
enum WebChatTimeline {
    struct Item: Encodable, Equatable {
        /// Stable across reads (`in-…` / `out-…` and the record's MsgKey), so a page never shows one twice.
        var id: String
        /// `visitor`, `desk` or `system`.
        var kind: String
        var time: Int64
        var sender: String?
        /// `BOT` or `HUMAN` for the desk's messages.
        var senderType: String?
        var avatarImage: String?
        var elements: [Element]?
        /// `joined` or `left` for system lines.
        var event: String?
        /// The ids of the desk message's calls: what the page's receipts name.
        var messageIds: [String]?
    }

    struct Element: Encodable, Equatable {
        /// `text`, `image` or `custom`.
        var type: String
        var text: String?
        var url: String?
        /// A custom element's `Data` JSON, for the page to render by its `src`.
        var data: String?
    }

    struct Timeline: Encodable {
        var items: [Item]
        /// The name of the agent typing right now, if one is.
        var typing: String?
        /// Whether an agent holds the session now (the page offers "End chat" and "Rate this chat").
        var inSeat: Bool
        /// Whether the bot has the visitor now, so asking for a person means something.
        var withBot: Bool
    }

    /// Desk kinds that only steer (typing, seat, ends, rules): never shown as messages.
    static let controlKinds: Set<String> = ["12", "19", "20", "23", "26"]

    static func build(records: ConversationRecords, state: ConversationState?, channel: WebChannelConfig, desk: DeskConfig, now: Date) -> Timeline {
        let bot = (name: channel.botName ?? channel.name, avatar: channel.avatarImage)
        func agentName(_ id: AgentID?) -> String? { id.map { desk.agent($0)?.nickname ?? $0.rawValue } }
        var items: [Item] = []
        for record in records.messages {
            let time = record.time.unixMillis
            if record.msgKey.hasPrefix("seat-"), case .custom(let custom)? = record.msgBody.first, case .seatStatus(let inSeat)? = DeskCustomMessage(data: custom.Data) {
                items.append(Item(id: "out-\(record.session.rawValue)-\(record.msgKey)", kind: "system", time: time, sender: agentName(record.agentId),
                                  event: inSeat ? "joined" : "left"))
                continue
            }
            let elements = record.msgBody.compactMap(element)
            guard !elements.isEmpty else { continue }
            switch record.direction {
            case .In:
                items.append(Item(id: "in-\(record.session.rawValue)-\(record.msgKey)", kind: "visitor", time: time, elements: elements))
            case .Out:
                let agent = record.agentId.flatMap(desk.agent)
                items.append(Item(id: "out-\(record.session.rawValue)-\(record.msgKey)", kind: "desk", time: time,
                                  sender: record.sender == .Agent ? agentName(record.agentId) : bot.name,
                                  senderType: record.sender == .Agent ? "HUMAN" : "BOT",
                                  avatarImage: Self.https(record.sender == .Agent ? agent?.avatarImage : bot.avatar), elements: elements,
                                  messageIds: record.callIds))
            }
        }
        let session = state?.session
        let typing = session.flatMap { session in session.typingUntil.map { $0 > now } == true ? agentName(session.ownership.holder) : nil }
        let withBot = session.map { $0.ownership.owner == .bot && $0.pendingAssignment == nil && !$0.choosingGroup } ?? true
        return Timeline(items: items, typing: typing, inSeat: session?.ownership.holder != nil, withBot: withBot)
    }

    private static func element(_ element: MsgElement) -> Element? {
        switch element {
        case .text(let text): return text.isEmpty ? nil : Element(type: "text", text: text)
        case .image(let image): return image.originalURL.flatMap(https).map { Element(type: "image", url: $0) }
        case .custom(let custom):
            guard let message = DeskCustomMessage(data: custom.Data), !controlKinds.contains(message.src) else { return nil }
            return Element(type: "custom", data: custom.Data)
        case .other: return nil
        }
    }

    /// Pictures from the desk are shown only over https: (or DeskBridge's own uploads).
    private static func https(_ url: String?) -> String? {
        url.flatMap { WebUploads.isPictureURL($0) ? $0 : nil }
    }
}
