import Foundation

/// A Tencent Desk custom message (T§1): the JSON in `TIMCustomElem.Data`, marked by
/// `customerServicePlugin: 0` and told apart by `src` (a string; numbers are accepted).
/// An unknown or malformed kind is kept verbatim, never a crash.
package enum DeskCustomMessage: Sendable, Equatable {
    case trigger(language: String?)  // 7
    case satisfaction(SatisfactionCard)  // 9
    case satisfactionSelection(id: String, content: String, sessionId: String)  // 10
    case agentTyping  // 12
    case branch(Menu)  // 15
    case sessionEnded  // 19
    case sessionTimedOut  // 20
    case form(Form)  // 21
    case productCard(ProductCard)  // 22
    case ratingSettings(flags: Int)  // 23
    case requestRating  // 24
    case seatStatus(inSeat: Bool)  // 26
    case userEndsSession  // 27
    case orderCard(OrderCard)  // 28
    case botCard(BotCard)  // 29
    case markdown(String)  // 30
    case stream(chunks: [String], finished: Bool)  // 31
    case taskBranch(TaskBranch)  // 32
    case taskForm(json: String)  // 33 (kept whole: the client sends it back filled in)
    case thinking(finished: Bool)  // 35
    case timeoutReminder(String)  // 37
    case unknown(src: String, json: String)

    // MARK: - Payloads

    package struct Menu: Codable, Sendable, Equatable {
        package var header: String
        package var items: [Item]
        package var tail: String?
        package var selected: Selected?

        package struct Item: Codable, Sendable, Equatable {
            package var content: String
            package var desc: String?
            package init(content: String, desc: String? = nil) {
                self.content = content
                self.desc = desc
            }
        }
        package struct Selected: Codable, Sendable, Equatable { package var content: String }

        package init(header: String, items: [Item], tail: String?, selected: Selected? = nil) {
            self.header = header
            self.items = items
            self.tail = tail
            self.selected = selected
        }
    }

    /// src 21: `type` 0 free text, 1 options.
    package struct Form: Codable, Sendable, Equatable {
        package var header: String
        package var type: Int
        package var items: [Menu.Item]?
        package var selected: Menu.Selected?
        package init(header: String, type: Int, items: [Menu.Item]?) {
            self.header = header
            self.type = type
            self.items = items
        }
    }

    package struct ProductCard: Codable, Sendable, Equatable {
        package var header: String
        package var desc: String?
        package var pic: String?
        package var url: String?
        package init(header: String, desc: String?, pic: String?, url: String?) {
            self.header = header
            self.desc = desc
            self.pic = pic
            self.url = url
        }
    }

    package struct OrderCard: Codable, Sendable, Equatable {
        package var guide: String?
        package var name: String
        package var desc: String?
        package var pic: String?
        package var customField: [Field]?
        package struct Field: Codable, Sendable, Equatable {
            package var name: String
            package var value: String
            package var customerValue: String?
        }
    }

    /// src 29: `subtype` `welcome_msg` or `clarify_msg`.
    package struct BotCard: Codable, Sendable, Equatable {
        package var subtype: String
        package var title: String
        package var content: String?
        package var items: [Menu.Item]
        package init(subtype: String, title: String, content: String?, items: [Menu.Item]) {
            self.subtype = subtype
            self.title = title
            self.content = content
            self.items = items
        }
    }

    /// src 9: `type` 1 star, 2 number.
    package struct SatisfactionCard: Codable, Sendable, Equatable {
        package var head: String
        package var tail: String?
        package var menu: [Option]
        package var type: Int?
        package var sessionId: String
        package var effectiveHour: Int?
        package var expireTime: Int64?
        package var selected: Option?
        package struct Option: Codable, Sendable, Equatable {
            package var id: String
            package var content: String
            package init(id: String, content: String) {
                self.id = id
                self.content = content
            }
        }
        package init(head: String, tail: String?, menu: [Option], type: Int?, sessionId: String, effectiveHour: Int?, expireTime: Int64?) {
            self.head = head
            self.tail = tail
            self.menu = menu
            self.type = type
            self.sessionId = sessionId
            self.effectiveHour = effectiveHour
            self.expireTime = expireTime
        }
    }

    /// src 32: a task branch; `status` 0 = not yet answered.
    package struct TaskBranch: Sendable, Equatable {
        package var menu: Menu
        package var status: Int
        package var optionType: Int
        package var taskInfo: String?
    }

    package var src: String {
        switch self {
        case .trigger: "7"
        case .satisfaction: "9"
        case .satisfactionSelection: "10"
        case .agentTyping: "12"
        case .branch: "15"
        case .sessionEnded: "19"
        case .sessionTimedOut: "20"
        case .form: "21"
        case .productCard: "22"
        case .ratingSettings: "23"
        case .requestRating: "24"
        case .seatStatus: "26"
        case .userEndsSession: "27"
        case .orderCard: "28"
        case .botCard: "29"
        case .markdown: "30"
        case .stream: "31"
        case .taskBranch: "32"
        case .taskForm: "33"
        case .thinking: "35"
        case .timeoutReminder: "37"
        case .unknown(let src, _): src
        }
    }
}

// MARK: - Decoding

extension DeskCustomMessage {
    /// Parses `TIMCustomElem.Data`; nil when it is not JSON with a `src` at all.
    package init?(data: String) {
        let bytes = Data(data.utf8)
        guard let head = try? JSONDecoder().decode(Head.self, from: bytes) else { return nil }
        let src = head.src.value
        do {
            self = try Self.decode(src: src, bytes: bytes, raw: data)
        } catch {
            self = .unknown(src: src, json: data)
        }
    }

    private static func decode(src: String, bytes: Data, raw: String) throws -> DeskCustomMessage {
        let decoder = JSONDecoder()
        func content<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(Wrapped<T>.self, from: bytes).content }
        switch src {
        case "7": return .trigger(language: try decoder.decode(Trigger.self, from: bytes).triggeredContent?.language)
        case "9": return .satisfaction(try decoder.decode(Satisfaction.self, from: bytes).menuContent)
        case "10":
            let selected = try decoder.decode(Selection.self, from: bytes).menuSelected
            return .satisfactionSelection(id: selected.id.value, content: selected.content, sessionId: selected.sessionId)
        case "12": return .agentTyping
        case "15": return .branch(try content(Menu.self))
        case "19": return .sessionEnded
        case "20": return .sessionTimedOut
        case "21": return .form(try content(Form.self))
        case "22": return .productCard(try content(ProductCard.self))
        case "23": return .ratingSettings(flags: try content(RuleFlags.self).menuSendRuleFlag)
        case "24": return .requestRating
        case "26": return .seatStatus(inSeat: try content(Seat.self).content == "inSeat")
        case "27": return .userEndsSession
        case "28": return .orderCard(try content(OrderCard.self))
        case "29":
            let card = try decoder.decode(BotCardWire.self, from: bytes)
            return .botCard(BotCard(subtype: card.subtype ?? "", title: card.content.title ?? "", content: card.content.content, items: card.content.items ?? []))
        case "30": return .markdown(try content(String.self))
        case "31":
            let stream = try decoder.decode(Stream.self, from: bytes)
            return .stream(chunks: stream.chunks ?? [], finished: stream.isFinished?.value == "1")
        case "32":
            let task = try decoder.decode(TaskWire.self, from: bytes)
            return .taskBranch(TaskBranch(menu: task.content, status: task.status ?? 0, optionType: task.optionType ?? 0, taskInfo: task.taskInfo?.json))
        case "33": return .taskForm(json: raw)
        case "35": return .thinking(finished: try decoder.decode(Thinking.self, from: bytes).thinkingStatus?.value == "1")
        case "37": return .timeoutReminder(try content(String.self))
        default: return .unknown(src: src, json: raw)
        }
    }

    /// A JSON string or number, read as a string.
    struct Lenient: Decodable {
        var value: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) {
                value = text
            } else if let number = try? c.decode(Int64.self) {
                value = String(number)
            } else {
                value = String(try c.decode(Double.self))
            }
        }
    }

    private struct Head: Decodable { var src: Lenient }
    private struct Wrapped<T: Decodable>: Decodable { var content: T }
    private struct Trigger: Decodable {
        struct Content: Decodable { var language: String? }
        var triggeredContent: Content?
    }
    private struct Satisfaction: Decodable { var menuContent: SatisfactionCard }
    private struct Selection: Decodable {
        struct Selected: Decodable { var id: Lenient; var content: String; var sessionId: String }
        var menuSelected: Selected
    }
    private struct RuleFlags: Decodable { var menuSendRuleFlag: Int }
    private struct Seat: Decodable { var content: String }
    private struct BotCardWire: Decodable {
        struct Content: Decodable { var title: String?; var content: String?; var items: [Menu.Item]? }
        var subtype: String?
        var content: Content
    }
    private struct Stream: Decodable { var chunks: [String]?; var isFinished: Lenient? }
    private struct TaskWire: Decodable {
        var content: Menu
        var status: Int?
        var optionType: Int?
        var taskInfo: RawJSON?
    }
    private struct Thinking: Decodable { var thinkingStatus: Lenient? }
}

/// Any JSON value, kept as its JSON text (for opaque fields such as src 32 `taskInfo`).
struct RawJSON: Decodable {
    var json: String
    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        json = String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
    }
}

/// A JSON value, for carrying opaque payloads through Codable.
package indirect enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? try c.encode(Int64(n)) : try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The value as a flow variable: strings as they are, everything else as JSON.
    package var variableText: String {
        switch self {
        case .string(let s): s
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
        }
    }
}
