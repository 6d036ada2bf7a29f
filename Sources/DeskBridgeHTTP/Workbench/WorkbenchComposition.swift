import DeskBridgeCore
import Foundation

/// What the workbench's composer (and a third-party extension through it) sends: text, a
/// picture by URL, a card, a menu, or the seed's custom message, as the desk's message elements,
/// which the translation turns into what the user's channel shows (docs/translation.md).
///
/// `kind` picks the fields: `text` (`text`); `image` (`url`); `card` (`header`, and `desc`,
/// `pic`, `url`, as the seed's `sendCard`); `menu` (`header`, 1 to 10 `items`, `tail`);
/// `custom` (the seed's `sendCustomMessage`: `title`, `description`, `iconUrl`, `extension`,
/// sent as a card whose `Ext` keeps `extension` whole, so the business's fields are not lost).
struct WorkbenchComposition: Decodable, Sendable {
    var sessionId: String
    var kind: String?
    var text: String?
    var url: String?
    var header: String?
    var desc: String?
    var pic: String?
    var items: [String]?
    var tail: String?
    var title: String?
    var description: String?
    var iconUrl: String?
    var `extension`: JSONValue?

    /// The message, or a refusal naming the field that is missing or wrong.
    func elements() throws(DeskCommandError) -> [MsgElement] {
        switch kind ?? "text" {
        case "text":
            return [.text(try Self.required(text, "text", max: 12_000))]
        case "image":
            return [.image(MsgElement.ImageElem(url: try Self.link(url, "url")))]
        case "card":
            let card = DeskCustomMessage.ProductCard(header: try Self.required(header, "header", max: 200), desc: try Self.optional(desc, "desc", max: 1_000),
                                                     pic: try Self.optionalLink(pic, "pic"), url: try Self.optionalLink(url, "url"))
            return [Self.custom(.productCard(card), desc: card.header)]
        case "menu":
            let header = try Self.required(header, "header", max: 200)
            let options = (items ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard (1...10).contains(options.count), options.allSatisfy({ $0.count <= 200 }) else {
                throw .badMsgBody("a menu has 1 to 10 items of at most 200 characters")
            }
            let menu = DeskCustomMessage.Menu(header: header, items: options.map { .init(content: $0) }, tail: try Self.optional(tail, "tail", max: 200))
            return [Self.custom(.branch(menu), desc: header)]
        case "custom":
            let card = DeskCustomMessage.ProductCard(header: try Self.required(title, "title", max: 200),
                                                     desc: try Self.optional(description, "description", max: 1_000),
                                                     pic: try Self.optionalLink(iconUrl, "iconUrl"), url: nil)
            var element = MsgElement.CustomElem(data: DeskCustomMessage.productCard(card).jsonString, desc: card.header)
            if let fields = `extension` {
                let data = (try? JSONEncoder().encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
                guard data.utf8.count <= 4_096 else { throw .badMsgBody("extension must be at most 4096 bytes of JSON") }
                element.Ext = data
            }
            return [.custom(element)]
        case let other:
            throw .badMsgBody("kind must be text, image, card, menu or custom, not \(other.prefix(20))")
        }
    }

    private static func custom(_ message: DeskCustomMessage, desc: String) -> MsgElement {
        .custom(MsgElement.CustomElem(data: message.jsonString, desc: desc))
    }

    private static func required(_ value: String?, _ name: String, max: Int) throws(DeskCommandError) -> String {
        guard let value = try optional(value, name, max: max) else { throw .badMsgBody("\(name) is required") }
        return value
    }

    private static func optional(_ value: String?, _ name: String, max: Int) throws(DeskCommandError) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        guard value.count <= max else { throw .badMsgBody("\(name) must be at most \(max) characters") }
        return value
    }

    private static func link(_ value: String?, _ name: String) throws(DeskCommandError) -> String {
        guard let value = try optionalLink(value, name) else { throw .badMsgBody("\(name) is required") }
        return value
    }

    /// Links a user will open: http or https with a host, as Google's rich cards require.
    private static func optionalLink(_ value: String?, _ name: String) throws(DeskCommandError) -> String? {
        guard let value = try optional(value, name, max: 2_048) else { return nil }
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            throw .badMsgBody("\(name) must be an http or https URL")
        }
        return value
    }
}
