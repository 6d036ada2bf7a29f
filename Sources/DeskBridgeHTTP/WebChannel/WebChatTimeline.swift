import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// What a website visitor's page shows: its own messages, and what the desk sent, in order, as
/// the Google rendering DeskBridge made of it (text, images, cards, chips; who sent it), with
/// agents joining and leaving as system lines.
enum WebChatTimeline {
    struct Item: Encodable {
        /// Stable across reads (`in-<MsgKey>` or `out-<outbox id>`), so a page never shows one twice.
        var id: String
        /// `visitor`, `message` or `event`.
        var kind: String
        var text: String?
        var sender: String?
        var senderType: String?
        var avatarImage: String?
        var imageUrl: String?
        var card: Card?
        var chips: [Chip]?
        var event: String?
    }

    struct Card: Encodable {
        var title: String?
        var description: String?
        var imageUrl: String?
    }

    struct Chip: Encodable {
        var text: String
        var postbackData: String?
        var url: String?
        var liveAgent: Bool?
    }

    struct Timeline: Encodable {
        var items: [Item]
        /// An agent is typing right now (the last event started typing and nothing followed).
        var typing: String?
    }

    static func build(records: ConversationRecords, outbox: [OutboxItem]) -> Timeline {
        let outbound = outbox.sorted { $0.id < $1.id }
        let position = Dictionary(uniqueKeysWithValues: outbound.enumerated().map { ($0.element.callId, $0.offset) })
        var next = 0
        var items: [Item] = []
        func emit(upTo end: Int) {
            while next < min(end, outbound.count) {
                if let item = item(outbound[next]) { items.append(item) }
                next += 1
            }
        }
        for record in records.messages {
            switch record.direction {
            case .In:
                let text = record.msgBody.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
                if !text.isEmpty { items.append(Item(id: "in-\(record.msgKey)", kind: "visitor", text: text)) }
            case .Out:
                if let last = record.callIds.compactMap({ position[$0] }).max() { emit(upTo: last + 1) }
            }
        }
        emit(upTo: outbound.count)
        let typing: String? = items.last.flatMap { $0.kind == "event" && $0.event == "TYPING_STARTED" ? ($0.sender ?? "") : nil }
        return Timeline(items: items.filter { $0.event != "TYPING_STARTED" && $0.event != "TYPING_STOPPED" }, typing: typing)
    }

    private static func item(_ call: OutboxItem) -> Item? {
        let decoder = JSONDecoder()
        if call.path.contains("/events"), let event = try? decoder.decode(GoogleEvent.self, from: call.body) {
            return Item(id: "out-\(call.id)", kind: "event", sender: event.representative.displayName,
                        senderType: event.representative.representativeType.rawValue, event: event.eventType.rawValue)
        }
        guard let message = try? decoder.decode(GoogleMessage.self, from: call.body) else { return nil }
        let content = message.richCard?.standaloneCard?.cardContent
        let chips = (message.suggestions ?? []) + (content?.suggestions ?? [])
        let https = { (url: String?) in url.flatMap { $0.hasPrefix("https://") ? $0 : nil } }
        return Item(id: "out-\(call.id)", kind: "message", text: message.text ?? (content == nil && message.image == nil ? message.fallback : nil),
                    sender: message.representative.displayName, senderType: message.representative.representativeType.rawValue,
                    avatarImage: https(message.representative.avatarImage), imageUrl: https(message.image?.contentInfo.fileUrl),
                    card: content.map { Card(title: $0.title, description: $0.description, imageUrl: https($0.media?.contentInfo.fileUrl)) },
                    chips: chips.isEmpty ? nil : chips.map(chip))
    }

    private static func chip(_ suggestion: Suggestion) -> Chip {
        switch suggestion {
        case .reply(let text, let postbackData): Chip(text: text, postbackData: postbackData)
        case .openURL(let text, _, let url): Chip(text: text, url: url)
        case .liveAgentRequest: Chip(text: "Ask for a live agent", liveAgent: true)
        }
    }
}
