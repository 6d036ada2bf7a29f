import Foundation

extension DeskCustomMessage {
    /// The `Data` string for a `TIMCustomElem`: `{"customerServicePlugin":0,"src":"…",…}`.
    package var jsonString: String {
        var fields: [String: JSONValue]
        switch self {
        case .trigger(let language):
            fields = language.map { ["triggeredContent": .object(["language": .string($0)])] } ?? [:]
        case .satisfaction(let card): fields = ["menuContent": Self.value(card)]
        case .satisfactionSelection(let id, let content, let sessionId):
            fields = ["menuSelected": .object(["id": .string(id), "content": .string(content), "sessionId": .string(sessionId)])]
        case .branch(let menu): fields = ["content": Self.value(menu)]
        case .form(let form): fields = ["content": Self.value(form)]
        case .productCard(let card): fields = ["content": Self.value(card)]
        case .ratingSettings(let flags): fields = ["content": .object(["menuSendRuleFlag": .number(Double(flags))])]
        case .seatStatus(let inSeat):
            fields = ["content": .object(["command": .string("updateSeatStatus"), "content": .string(inSeat ? "inSeat" : "outSeat")])]
        case .orderCard(let card): fields = ["content": Self.value(card)]
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(JSONValue.object(fields))) ?? Data("{}".utf8), as: UTF8.self)
    }

    private static func value<T: Encodable>(_ payload: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(payload), let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return value
    }
}
