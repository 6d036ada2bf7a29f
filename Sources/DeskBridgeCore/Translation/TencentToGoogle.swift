import Foundation

/// Tencent-style message → Google-style messages (translation.md §3), degrading to Google's
/// limits instead of provoking a 400: long text is split, too many or colliding chips become a
/// numbered list, long chip labels are cut with an ellipsis and listed in full.
package enum TencentToGoogle {
    /// One desk message's Google rendering, with the menu reference it registered (if any).
    package struct Rendering: Sendable, Equatable {
        package var messages: [GoogleMessage]
        package var menuRef: String?
    }

    /// `msgKey` makes ids deterministic: `tx-<hex12(sha256(MsgKey))>-<part>`.
    package static func render(_ elements: [MsgElement], msgKey: String, as representative: Representative, offerLiveAgent: Bool) -> Rendering {
        let ref = Hex.ref12(msgKey)
        var messages: [GoogleMessage] = []
        var menuRef: String?
        func nextId() -> String { "tx-\(ref)-\(messages.count)" }
        for element in elements {
            switch element {
            case .text(let text):
                for part in split(text) { messages.append(GoogleMessage(messageId: nextId(), representative: representative, text: part)) }
            case .image(let image):
                guard let url = image.originalURL else { continue }
                messages.append(GoogleMessage(
                    messageId: nextId(), representative: representative,
                    image: .init(contentInfo: .init(fileUrl: url, thumbnailUrl: image.thumbnailURL)),
                    fallback: "Image: \(url)"))
            case .custom(let custom):
                guard let desk = DeskCustomMessage(data: custom.Data) else {
                    if let desc = custom.Desc, !desc.isEmpty {
                        messages.append(GoogleMessage(messageId: nextId(), representative: representative, text: desc))
                    }
                    continue
                }
                switch desk {
                case .branch(let menu):
                    menuRef = ref
                    var message = menuMessage(menu, kind: .branch, ref: ref, offerLiveAgent: offerLiveAgent)
                    message.messageId = nextId()
                    message.representative = representative
                    messages.append(message)
                case .sessionEnded, .sessionTimedOut, .seatStatus, .unknown:
                    // Control flags drive the ownership state machine; nothing is shown.
                    continue
                }
            case .other:
                continue
            }
        }
        return Rendering(messages: messages, menuRef: menuRef)
    }

    /// D2: header (+ tail) with one reply chip per item, or a numbered list when chips cannot work.
    package static func menuMessage(_ menu: DeskCustomMessage.Menu, kind: Postback.Kind, ref: String, offerLiveAgent: Bool) -> GoogleMessage {
        let labels = menu.items.map { chipLabel($0.content) }
        let numbered = menu.items.enumerated().map { "\($0.offset + 1). \($0.element.content)" }
        var head = menu.header
        if let tail = menu.tail, !tail.isEmpty { head += (head.isEmpty ? "" : "\n") + tail }
        let fallback = ([menu.header] + numbered).filter { !$0.isEmpty }.joined(separator: "\n")
        let chipsFit = !menu.items.isEmpty && menu.items.count <= GoogleLimits.suggestionsPerMessage && Set(labels).count == labels.count
        guard chipsFit else {
            return GoogleMessage(messageId: "", representative: Representative(.BOT, displayName: nil, avatarImage: nil),
                                 text: clip(([head] + numbered).filter { !$0.isEmpty }.joined(separator: "\n")), fallback: clip(fallback))
        }
        var text = head
        let needsListing = menu.items.contains { ($0.desc ?? "").isEmpty == false || chipLabel($0.content) != $0.content }
        if needsListing {
            let lines = menu.items.map { item in "• " + item.content + ((item.desc ?? "").isEmpty ? "" : " — \(item.desc!)") }
            text = ([head] + lines).filter { !$0.isEmpty }.joined(separator: "\n")
        }
        var suggestions = menu.items.indices.map { index in
            Suggestion.reply(text: labels[index], postbackData: Postback(kind: kind, ref: ref, index: index).encoded)
        }
        if offerLiveAgent, suggestions.count < GoogleLimits.suggestionsPerMessage { suggestions.append(.liveAgentRequest) }
        return GoogleMessage(messageId: "", representative: Representative(.BOT, displayName: nil, avatarImage: nil),
                             text: clip(text.isEmpty ? fallback : text), suggestions: suggestions, fallback: clip(fallback))
    }

    /// A chip label of at most 25 characters: 24 and an ellipsis when longer.
    package static func chipLabel(_ text: String) -> String {
        text.count <= GoogleLimits.chipTextLength ? text : String(text.prefix(GoogleLimits.chipTextLength - 1)) + "…"
    }

    /// Splits text over 3,072 characters at a paragraph, then a sentence, then a space, then hard.
    package static func split(_ text: String, limit: Int = GoogleLimits.textLength) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            let cut = window.range(of: "\n\n", options: .backwards)?.upperBound
                ?? window.range(of: ". ", options: .backwards)?.upperBound
                ?? window.range(of: " ", options: .backwards)?.upperBound
                ?? window.endIndex
            let piece = rest[..<cut].trimmingCharacters(in: .whitespacesAndNewlines)
            if !piece.isEmpty { parts.append(piece) }
            rest = rest[cut...]
        }
        let last = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty || parts.isEmpty { parts.append(last) }
        return parts
    }

    private static func clip(_ text: String) -> String {
        text.count <= GoogleLimits.textLength ? text : String(text.prefix(GoogleLimits.textLength - 1)) + "…"
    }
}
