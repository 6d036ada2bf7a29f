import Foundation

/// Tencent-style messages → Google-style messages (translation.md §3), degrading to Google's
/// limits instead of provoking a 400: long text is split, too many or colliding chips become a
/// numbered list, long labels and card texts are cut with an ellipsis, and every message that
/// is not plain text carries a `fallback`.
package enum TencentToGoogle {
    /// A control kind the ownership state machine acts on instead of showing it.
    package enum Signal: Sendable, Equatable {
        case sessionEnded, sessionTimedOut
        case seatStatus(inSeat: Bool)
        case typing(started: Bool)
    }

    /// A menu the user may answer by chip: its reference and the exact item texts.
    package struct OfferedMenu: Codable, Sendable, Equatable {
        package var ref: String
        package var kind: String
        package var items: [String]
        /// src 9 option ids, by index (for the satisfaction selection, src 10).
        package var ids: [String]?
    }

    /// One desk message's Google rendering.
    package struct Rendering: Sendable, Equatable {
        package var messages: [GoogleMessage] = []
        package var menu: OfferedMenu?
        package var signals: [Signal] = []
        /// src kinds that have no rendering (user-end kinds, unknown kinds), for the log.
        package var dropped: [String] = []
    }

    /// `msgKey` makes ids deterministic: `tx-<hex12(sha256(MsgKey))>-<part>`.
    ///
    /// `parsed` holds, by position, the payloads of custom elements DeskBridge built itself, so
    /// those render from the value instead of being parsed back from the JSON just made of it.
    package static func render(_ elements: [MsgElement], parsed: [DeskCustomMessage?] = [], msgKey: String, as representative: Representative,
                               offerLiveAgent: Bool) -> Rendering {
        var builder = Builder(ref: Hex.ref12(msgKey), representative: representative, offerLiveAgent: offerLiveAgent)
        for (index, element) in elements.enumerated() {
            switch element {
            case .text(let text): builder.text(text)
            case .image(let image):
                guard let url = image.originalURL else { continue }
                builder.image(url: url, thumbnail: image.thumbnailURL, alt: nil)
            case .custom(let custom):
                guard let desk = (parsed.indices.contains(index) ? parsed[index] : nil) ?? DeskCustomMessage(data: custom.Data) else {
                    if let desc = custom.Desc, !desc.isEmpty { builder.text(desc) } else { builder.rendering.dropped.append("not a desk message") }
                    continue
                }
                builder.custom(desk)
            case .other(let type):
                builder.rendering.dropped.append(type)
            }
        }
        return builder.rendering
    }

    /// A chip label of at most 25 characters: 24 and an ellipsis when longer.
    package static func chipLabel(_ text: String) -> String { clip(text, GoogleLimits.chipTextLength) }

    /// Cuts to `limit` characters, the last being an ellipsis.
    package static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Splits text over 3,072 characters at a paragraph, then a line, then a sentence, then a
    /// space, then hard. With `keepingSpans` (Google rich text) a cut inside a line is never made
    /// inside `**bold**`, `*italic*` or a `[link](url)`, which Google would reject as broken
    /// formatting; spans never cross lines, so paragraph and line cuts are always safe.
    package static func split(_ text: String, limit: Int = GoogleLimits.textLength, keepingSpans: Bool = false) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            let cut = window.range(of: "\n\n", options: .backwards)?.upperBound
                ?? window.range(of: "\n", options: .backwards)?.upperBound
                ?? lastCut(in: window, after: ". ", keepingSpans: keepingSpans)
                ?? lastCut(in: window, after: " ", keepingSpans: keepingSpans)
                ?? window.endIndex
            let piece = rest[..<cut].trimmingCharacters(in: .whitespacesAndNewlines)
            if !piece.isEmpty { parts.append(piece) }
            rest = rest[cut...]
        }
        let last = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty || parts.isEmpty { parts.append(last) }
        return parts
    }

    /// The end of the last `separator` in `window` where no formatting span is open (when asked);
    /// failing that, the last `separator` at all.
    private static func lastCut(in window: Substring, after separator: String, keepingSpans: Bool) -> String.Index? {
        var searchEnd = window.endIndex
        var tried = 0
        while keepingSpans, tried < 256, let found = window[..<searchEnd].range(of: separator, options: .backwards) {
            let lineStart = window[..<found.lowerBound].lastIndex(of: "\n").map(window.index(after:)) ?? window.startIndex
            if !spanOpen(window[lineStart..<found.upperBound]) { return found.upperBound }
            searchEnd = found.lowerBound
            tried += 1
        }
        return window.range(of: separator, options: .backwards)?.upperBound
    }

    /// Whether a rich-text line, read up to its end, is inside a bold, italic or link span.
    private static func spanOpen(_ line: Substring) -> Bool {
        var bold = false, italic = false, linkText = false, linkURL = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            let next = line.index(after: index)
            if linkURL {
                if character == ")" { linkURL = false }
            } else if character == "*" {
                if next < line.endIndex, line[next] == "*" {
                    bold.toggle()
                    index = line.index(after: next)
                    continue
                }
                italic.toggle()
            } else if character == "[" {
                linkText = true
            } else if character == "]", linkText, next < line.endIndex, line[next] == "(" {
                linkText = false
                linkURL = true
                index = line.index(after: next)
                continue
            }
            index = next
        }
        return bold || italic || linkText || linkURL
    }
}

/// Accumulates one rendering; part indexes number the messages.
private struct Builder {
    let ref: String
    let representative: Representative
    let offerLiveAgent: Bool
    var rendering = TencentToGoogle.Rendering()

    private var nextId: String { "tx-\(ref)-\(rendering.messages.count)" }

    mutating func append(_ message: GoogleMessage) {
        var message = message
        message.messageId = nextId
        message.representative = representative
        rendering.messages.append(message)
    }

    mutating func text(_ text: String) {
        for part in TencentToGoogle.split(text) { append(GoogleMessage(messageId: "", representative: representative, text: part)) }
    }

    mutating func image(url: String, thumbnail: String?, alt: String?) {
        append(GoogleMessage(messageId: "", representative: representative,
                             image: .init(contentInfo: .init(fileUrl: url, thumbnailUrl: thumbnail, altText: alt)), fallback: "Image: \(url)"))
    }

    mutating func custom(_ desk: DeskCustomMessage) {
        switch desk {
        case .branch(let menu):
            guard menu.selected == nil else { return }  // an update of an answered menu
            self.menu(header: menu.header, tail: menu.tail, items: menu.items, kind: .branch)
        case .form(let form):
            guard form.selected == nil else { return }
            if form.type == 1, let items = form.items, !items.isEmpty {
                menu(header: form.header, tail: nil, items: items, kind: .form)
            } else {
                text(form.header)
            }
        case .botCard(let card):
            let head = [card.title, card.content ?? ""].filter { !$0.isEmpty }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            menu(header: head.joined(separator: "\n"), tail: nil, items: card.items, kind: .welcome)
        case .taskBranch(let task):
            guard task.status == 0 else { return }
            menu(header: task.menu.header, tail: task.menu.tail, items: task.menu.items, kind: .task)
        case .satisfaction(let card):
            guard card.selected == nil else { return }
            let items = card.menu.enumerated().map { index, option in
                DeskCustomMessage.Menu.Item(content: option.content.isEmpty ? (card.type == 1 ? String(repeating: "★", count: index + 1) : String(index + 1)) : option.content)
            }
            menu(header: card.head, tail: nil, items: items, kind: .satisfaction, offerLiveAgent: false)
            rendering.menu?.ids = card.menu.map(\.id)
        case .productCard(let card):
            let fallback = [card.header, card.desc ?? "", card.url ?? ""].filter { !$0.isEmpty }.joined(separator: " — ")
            var suggestions: [Suggestion] = []
            if let url = card.url, url.hasPrefix("https://") {
                suggestions.append(.openURL(text: "Open", postbackData: Postback(kind: .url, ref: ref, index: 0).encoded, url: url))
            } else if let url = card.url, !url.isEmpty {
                rendering.dropped.append("22 link (not https:, kept in the fallback text only)")
            }
            self.card(title: card.header, description: card.desc, picture: card.pic, suggestions: suggestions, fallback: fallback)
        case .orderCard(let order):
            let fields = (order.customField ?? []).map { "\($0.name) \($0.value)" }
            let description = ([order.guide ?? "", order.desc ?? ""] + fields).filter { !$0.isEmpty }.joined(separator: "\n")
            card(title: order.name, description: description, picture: order.pic, suggestions: [],
                 fallback: ([order.name] + [description]).filter { !$0.isEmpty }.joined(separator: "\n"))
        case .markdown(let markdown):
            self.markdown(markdown)
        case .stream(let chunks, let finished):
            if finished { markdown(chunks.joined()) } else { rendering.signals.append(.typing(started: true)) }
        case .taskForm(let json):
            taskForm(json)
        case .thinking(let finished):
            rendering.signals.append(.typing(started: !finished))
        case .timeoutReminder(let reminder):
            text(reminder)
        case .agentTyping:
            rendering.signals.append(.typing(started: true))
        case .sessionEnded:
            rendering.signals.append(.sessionEnded)
        case .sessionTimedOut:
            rendering.signals.append(.sessionTimedOut)
        case .seatStatus(let inSeat):
            rendering.signals.append(.seatStatus(inSeat: inSeat))
        case .trigger, .satisfactionSelection, .ratingSettings, .requestRating, .userEndsSession, .unknown:
            rendering.dropped.append(desk.src)
        }
    }

    /// D2: header (+ tail) with one reply chip per item, or a numbered list when chips cannot work.
    mutating func menu(header: String, tail: String?, items: [DeskCustomMessage.Menu.Item], kind: Postback.Kind, offerLiveAgent: Bool? = nil) {
        let labels = items.map { TencentToGoogle.chipLabel($0.content) }
        let numbered = items.enumerated().map { "\($0.offset + 1). \($0.element.content)" }
        var head = header
        if let tail, !tail.isEmpty { head += (head.isEmpty ? "" : "\n") + tail }
        let fallback = TencentToGoogle.clip(([header] + numbered).filter { !$0.isEmpty }.joined(separator: "\n"), GoogleLimits.textLength)
        rendering.menu = .init(ref: ref, kind: kind.rawValue, items: items.map(\.content))
        let chipsFit = !items.isEmpty && items.count <= GoogleLimits.suggestionsPerMessage && Set(labels).count == labels.count
        guard chipsFit else {
            text(([head] + numbered).filter { !$0.isEmpty }.joined(separator: "\n"))
            return
        }
        var text = head
        if items.contains(where: { !($0.desc ?? "").isEmpty || TencentToGoogle.chipLabel($0.content) != $0.content }) {
            let lines = items.map { "• " + $0.content + (($0.desc ?? "").isEmpty ? "" : " — \($0.desc!)") }
            text = ([head] + lines).filter { !$0.isEmpty }.joined(separator: "\n")
        }
        var suggestions = items.indices.map { Suggestion.reply(text: labels[$0], postbackData: Postback(kind: kind, ref: ref, index: $0).encoded) }
        if offerLiveAgent ?? self.offerLiveAgent, suggestions.count < GoogleLimits.suggestionsPerMessage { suggestions.append(.liveAgentRequest) }
        // A long header or long descriptions are split; the chips go on the last part.
        let parts = TencentToGoogle.split(text.isEmpty ? fallback : text)
        for part in parts.dropLast() { append(GoogleMessage(messageId: "", representative: representative, text: part)) }
        append(GoogleMessage(messageId: "", representative: representative, text: parts.last ?? "", suggestions: suggestions, fallback: fallback))
    }

    /// D5/D6: a standalone rich card; media only for an https picture; at most four chips.
    mutating func card(title: String, description: String?, picture: String?, suggestions: [Suggestion], fallback: String) {
        var content = GoogleMessage.CardContent(
            title: TencentToGoogle.clip(title, GoogleLimits.cardTitleLength),
            description: description.flatMap { $0.isEmpty ? nil : TencentToGoogle.clip($0, GoogleLimits.cardDescriptionLength) })
        if let picture, picture.hasPrefix("https://") {
            content.media = .init(height: "MEDIUM", contentInfo: .init(fileUrl: picture))
        } else if let picture, !picture.isEmpty {
            rendering.dropped.append("card picture (not https:)")  // Google fetches media over https only
        }
        if !suggestions.isEmpty { content.suggestions = Array(suggestions.prefix(GoogleLimits.suggestionsPerCard)) }
        append(GoogleMessage(messageId: "", representative: representative, richCard: .init(standaloneCard: .init(cardContent: content)),
                             fallback: TencentToGoogle.clip(fallback, GoogleLimits.textLength)))
        // A title or description over Google's limit is cut on the card; the whole text follows.
        if title.count > GoogleLimits.cardTitleLength || (description?.count ?? 0) > GoogleLimits.cardDescriptionLength {
            text([title, description ?? ""].filter { !$0.isEmpty }.joined(separator: "\n\n"))
        }
    }

    /// D8: Markdown → rich text parts and images, in order.
    mutating func markdown(_ markdown: String) {
        for part in MarkdownToRichText.convert(markdown) {
            switch part {
            case .image(let url, let alt): image(url: url, thumbnail: nil, alt: alt.isEmpty ? nil : alt)
            case .text(let rich, let plain, let containsRichText):
                guard containsRichText else { text(plain); continue }
                for part in TencentToGoogle.split(rich, keepingSpans: true) {
                    append(GoogleMessage(messageId: "", representative: representative, text: part,
                                         fallback: TencentToGoogle.clip(MarkdownToRichText.plainText(part), GoogleLimits.textLength), containsRichText: true))
                }
            }
        }
    }

    /// D11, degraded: the tip and one line per field; the user answers in free text.
    mutating func taskForm(_ json: String) {
        struct Form: Decodable {
            struct Content: Decodable {
                struct Field: Decodable { var name: String; var placeholder: String?; var chooseItemList: [String]? }
                var tip: String?
                var inputVariables: [Field]?
            }
            var content: Content
        }
        guard let form = try? JSONDecoder().decode(Form.self, from: Data(json.utf8)) else { rendering.dropped.append("33"); return }
        let lines = (form.content.inputVariables ?? []).map { field in
            "• " + field.name + ((field.chooseItemList ?? []).isEmpty ? (field.placeholder.map { " (\($0))" } ?? "") : ": " + field.chooseItemList!.joined(separator: " / "))
        }
        text(([form.content.tip ?? ""] + lines).filter { !$0.isEmpty }.joined(separator: "\n"))
    }
}
