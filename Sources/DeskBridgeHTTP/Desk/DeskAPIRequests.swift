import DeskBridgeCore

/// Request bodies of the desk APIs (CONTRACT §3). Unknown fields are ignored, as Tencent does.
struct SendMsgRequest: Decodable {
    var From_Account: String?
    var To_Account: String?
    var MsgRandom: UInt32?
    var MsgBody: [MsgElement]?
    var CloudCustomData: String?
}

struct SessionRequest: Decodable {
    var SessionId: String?
    var ClientUserId: String?
    var AgentId: String?
}

struct TransferRequest: Decodable {
    var SessionId: String?
    var AgentIdList: [String]?
    var AgentGroupId: Int?
    var AgentId: String?
    var SendTipIfNoAgentOnline: Int?
}

struct AgentStatusRequest: Decodable {
    var AgentId: String?
    var Status: String?
}

/// The Tencent envelope every desk answer has: HTTP 200 always, the result in the body.
struct DeskAnswer: Encodable {
    var ActionStatus = "OK"
    var ErrorCode = 0
    var ErrorInfo = ""
    var MsgTime: Int64?
    var MsgKey: String?
    var SessionId: String?
    var CurrentState: String?
    var AgentId: String?
    var IsInQueue: Int?

    static func failure(_ code: Int, _ info: String) -> DeskAnswer {
        DeskAnswer(ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: info)
    }
}
