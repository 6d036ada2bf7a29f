import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation

/// The `ccc` actions over the service records, and `CreateUserSig`, in `ccc` 2020-02-10's fields.
extension CloudAPIRoutes {
    /// `CreateUserSig` `{Uid, ExpiredTime}`: a UserSig for `Uid` signed with `desk.secretKey`,
    /// valid for `ExpiredTime` seconds (at most an hour, as Tencent allows). `ClientData` is ignored.
    func createUserSig(_ parameters: [String: Any]) throws -> [String: Any] {
        guard let uid = parameters["Uid"] as? String, !uid.isEmpty else { throw Failure(code: "MissingParameter", message: "Uid is required") }
        let lifetime = (parameters["ExpiredTime"] as? NSNumber)?.int64Value ?? 3_600
        guard (1...3_600).contains(lifetime) else { throw Failure(code: "InvalidParameterValue", message: "ExpiredTime must be 1 to 3600 seconds") }
        let sig = UserSig.generate(identifier: uid, sdkAppId: desk.sdkAppId, secretKey: desk.secretKey.reveal,
                                   issuedAt: Int64(now().timeIntervalSince1970), expireSeconds: lifetime)
        return ["UserSig": sig]
    }

    /// `DescribeIMCdrList` `{StartTimestamp, EndTimestamp, Limit, Offset}`: the ended sessions that
    /// started in the range, newest first. `EndStatus`: 109 the user ended it, 108 it timed out,
    /// 1 an agent or the admin ended it. `Type` is 2 (text service) for all.
    func describeIMCdrList(_ parameters: [String: Any]) async throws -> [String: Any] {
        guard let start = (parameters["StartTimestamp"] as? NSNumber)?.doubleValue, let end = (parameters["EndTimestamp"] as? NSNumber)?.doubleValue else {
            throw Failure(code: "MissingParameter", message: "StartTimestamp and EndTimestamp are required")
        }
        guard end > start else { throw Failure(code: "InvalidParameterValue", message: "EndTimestamp must be after StartTimestamp") }
        let (limit, offset) = Self.page(parameters)
        let found = try await commands.runtime.store.searchSessions(SessionSearch(from: Date(timeIntervalSince1970: start), to: Date(timeIntervalSince1970: end)))
            .filter { $0.summary.endTime != nil }
        let page = found.dropFirst(offset).prefix(limit).map { session -> [String: Any] in
            let summary = session.summary
            var record: [String: Any] = [
                "Id": summary.session.rawValue, "SessionId": summary.session.rawValue, "ClientUserId": session.conversation.clientUserId.rawValue,
                "Timestamp": Int64(summary.startTime.timeIntervalSince1970), "Type": 2,
                "Duration": Int64((summary.endTime ?? summary.startTime).timeIntervalSince(summary.startTime)),
                "EndStatus": Self.endStatus(summary.closeBy), "StaffId": summary.agentIds.last?.rawValue ?? "",
            ]
            if let rating = summary.satisfaction { record["Satisfaction"] = ["Id": rating.score, "Label": String(rating.score)] }
            return record
        }
        return ["TotalCount": found.count, "IMCdrList": Array(page)]
    }

    /// `Limit` (1 to 100, default 20) and `Offset` (default 0), as the record actions take them.
    static func page(_ parameters: [String: Any]) -> (limit: Int, offset: Int) {
        (min(max((parameters["Limit"] as? NSNumber)?.intValue ?? 20, 1), 100), max((parameters["Offset"] as? NSNumber)?.intValue ?? 0, 0))
    }

    static func endStatus(_ closeBy: String?) -> Int {
        switch closeBy {
        case "client": 109
        case "timer": 108
        default: 1
        }
    }

    /// `DescribeChatMessages` `{SessionId, Limit, Offset, Order}`: the session's messages both ways
    /// (`Order` 1 oldest first, 2 newest first, the default). `From` is the ClientUserId, the agent's
    /// id, or `bot`; each element is `{Type: text | image | custom, Content}`.
    func describeChatMessages(_ parameters: [String: Any]) async throws -> [String: Any] {
        guard let sessionId = parameters["SessionId"] as? String, !sessionId.isEmpty else { throw Failure(code: "MissingParameter", message: "SessionId is required") }
        let (limit, offset) = Self.page(parameters)
        let records = try await commands.sessionRecords(as: .admin, sessionId: sessionId, clientUserId: nil)
        let user = try await commands.runtime.store.conversation(sessionId: SessionID(sessionId))?.key.clientUserId.rawValue ?? ""
        let ordered = (parameters["Order"] as? NSNumber)?.intValue == 1 ? records.messages : records.messages.reversed()
        let page = ordered.dropFirst(offset).prefix(limit).map { message -> [String: Any] in
            let from = message.sender == .User ? user : message.agentId?.rawValue ?? "bot"
            let time = Int64(message.time.timeIntervalSince1970)
            return ["Timestamp": time, "From": from, "Messages": message.msgBody.map { element -> [String: Any] in
                let (type, content): (String, String) = switch element {
                case .text(let text): ("text", text)
                case .image(let image): ("image", image.originalURL ?? "")
                case .custom(let custom): ("custom", custom.Data)
                case .other(let name): (name, "")
                }
                return ["Type": type, "Content": content, "Timestamp": time, "From": from]
            }]
        }
        return ["TotalCount": records.messages.count, "Messages": Array(page)]
    }
}
