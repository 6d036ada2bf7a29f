import Foundation

/// A Tencent Desk custom message (T§1): the JSON carried in `TIMCustomElem.Data`,
/// marked by `customerServicePlugin: 0` and told apart by `src` (a string; numbers accepted).
package enum DeskCustomMessage: Sendable, Equatable {
    /// src 15: a branch menu; the user answers with an item's exact text.
    case branch(Menu)
    /// src 19: the session ended normally.
    case sessionEnded
    /// src 20: the session ended because the user did not answer.
    case sessionTimedOut
    /// src 26: human-service status, `inSeat` or `outSeat`.
    case seatStatus(inSeat: Bool)
    /// Any other src: kept (with its raw JSON) and logged, never a crash.
    case unknown(src: String, json: String)

    package struct Menu: Codable, Sendable, Equatable {
        package var header: String
        package var items: [Item]
        package var tail: String?

        package struct Item: Codable, Sendable, Equatable {
            package var content: String
            package var desc: String?
            package init(content: String, desc: String? = nil) {
                self.content = content
                self.desc = desc
            }
        }

        package init(header: String, items: [Item], tail: String?) {
            self.header = header
            self.items = items
            self.tail = tail
        }
    }

    package var src: String {
        switch self {
        case .branch: "15"
        case .sessionEnded: "19"
        case .sessionTimedOut: "20"
        case .seatStatus: "26"
        case .unknown(let src, _): src
        }
    }

    /// Parses `TIMCustomElem.Data`; nil when it is not a desk message at all.
    package init?(data: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return nil }
        let src: String
        if let text = object["src"] as? String {
            src = text
        } else if let number = object["src"] as? NSNumber {
            src = number.stringValue
        } else {
            return nil
        }
        let content = object["content"]
        switch src {
        case "15":
            guard let content, let json = try? JSONSerialization.data(withJSONObject: content),
                let menu = try? JSONDecoder().decode(Menu.self, from: json)
            else { self = .unknown(src: src, json: data); return }
            self = .branch(menu)
        case "19": self = .sessionEnded
        case "20": self = .sessionTimedOut
        case "26":
            let status = (content as? [String: Any])?["content"] as? String
            self = .seatStatus(inSeat: status == "inSeat")
        default: self = .unknown(src: src, json: data)
        }
    }

    /// The `Data` string for a `TIMCustomElem`.
    package var jsonString: String {
        struct Envelope<Content: Encodable>: Encodable {
            var customerServicePlugin = 0
            var src: String
            var content: Content?
        }
        struct Seat: Encodable { var command = "updateSeatStatus"; var content: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data?
        switch self {
        case .branch(let menu): data = try? encoder.encode(Envelope(src: src, content: menu))
        case .sessionEnded, .sessionTimedOut: data = try? encoder.encode(Envelope<String>(src: src, content: nil))
        case .seatStatus(let inSeat): data = try? encoder.encode(Envelope(src: src, content: Seat(content: inSeat ? "inSeat" : "outSeat")))
        case .unknown(_, let json): return json
        }
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
