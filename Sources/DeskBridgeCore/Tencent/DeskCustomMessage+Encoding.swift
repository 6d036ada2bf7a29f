import Foundation

extension DeskCustomMessage {
    /// The `Data` string for a `TIMCustomElem`: `{"customerServicePlugin":0,"src":"…",…}`.
    package var jsonString: String {
        var fields: [String: JSONValue]
        switch self {
        case .trigger(let language):
            fields = language.map { ["triggeredContent": .object(["language": .string($0)])] } ?? [:]
        case .satisfaction(let card): return Self.envelope(src, "menuContent", card)
        case .satisfactionSelection(let id, let content, let sessionId):
            fields = ["menuSelected": .object(["id": .string(id), "content": .string(content), "sessionId": .string(sessionId)])]
        case .branch(let menu): return Self.envelope(src, "content", menu)
        case .form(let form): return Self.envelope(src, "content", form)
        case .productCard(let card): return Self.envelope(src, "content", card)
        case .ratingSettings(let flags): fields = ["content": .object(["menuSendRuleFlag": .number(Double(flags))])]
        case .seatStatus(let inSeat):
            fields = ["content": .object(["command": .string("updateSeatStatus"), "content": .string(inSeat ? "inSeat" : "outSeat")])]
        case .orderCard(let card): return Self.envelope(src, "content", card)
        case .botCard(let card):
            fields = ["subtype": .string(card.subtype),
                      "content": .object(["title": .string(card.title), "content": .string(card.content ?? ""), "items": Self.value(card.items)])]
        case .markdown(let text): fields = ["content": .string(text)]
        case .stream(let chunks, let finished): fields = ["chunks": Self.value(chunks), "isFinished": .number(finished ? 1 : 0)]
        case .taskBranch(let task):
            fields = ["content": Self.value(task.menu), "status": .number(Double(task.status)), "optionType": .number(Double(task.optionType))]
            if let info = task.taskInfo, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(info.utf8)) { fields["taskInfo"] = value }
        case .thinking(let finished): fields = ["thinkingStatus": .number(finished ? 1 : 0)]
        case .timeoutReminder(let text): fields = ["content": .string(text)]
        case .agentTyping, .sessionEnded, .sessionTimedOut, .requestRating, .userEndsSession: fields = [:]
        case .taskForm(let json), .unknown(_, let json): return json
        }
        fields["customerServicePlugin"] = .number(0)
        fields["src"] = .string(src)
        return String(decoding: (try? JSONEncoder.canonical().encode(JSONValue.object(fields))) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// `{"content"|"menuContent": payload, "customerServicePlugin":0, "src":…}` in one pass: the
    /// common kinds (menus, forms, cards) go out with every flow step, and the generic route
    /// through `JSONValue` encodes the payload twice and decodes it once.
    private static func envelope<T: Encodable>(_ src: String, _ key: String, _ payload: T) -> String {
        String(decoding: (try? JSONEncoder.canonical().encode(Envelope(src: src, key: key, payload: payload))) ?? Data("{}".utf8), as: UTF8.self)
    }

    private struct Envelope<Payload: Encodable>: Encodable {
        var src: String
        var key: String
        var payload: Payload

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encode(0, forKey: AnyCodingKey("customerServicePlugin"))
            try container.encode(src, forKey: AnyCodingKey("src"))
            try container.encode(payload, forKey: AnyCodingKey(key))
        }
    }

    private static func value<T: Encodable>(_ payload: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(payload), let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return value
    }
}
