import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Hummingbird
import NIOCore

/// Tencent Cloud API 3.0 (`POST /` with `X-TC-Action`), the `ccc` service as Tencent's SDKs call
/// it, so a business server built on them works with only its endpoint changed. Every answer is
/// HTTP 200 with a `RequestId`: `{"Response": {…}}`, or `{"Response": {"Error": {"Code",
/// "Message"}}}`, which is when Tencent's SDKs raise. The signature (TC3-HMAC-SHA256) is checked
/// in constant time over the `Host` the client signed, within Tencent's 5-minute window.
struct CloudAPIRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    let signIns: WorkbenchSignIns
    /// The console's, for `CreateAdminURL`'s one-time login links.
    let consoleSignIns: WorkbenchSignIns
    let trustedProxies: TrustedProxies
    let now: @Sendable () -> Date

    func register(on router: Router<DeskRequestContext>) {
        router.post("/") { request, context in await handle(request, context) }
    }

    /// An answer in Tencent's error envelope.
    struct Failure: Error {
        var code: String
        var message: String
    }

    private func handle(_ request: Request, _ context: DeskRequestContext) async -> Response {
        let requestId = UUID().uuidString.lowercased()
        do {
            var request = request
            let body = Data(buffer: try await request.collectBody(upTo: 64 * 1_024))
            let action = try authenticate(request, body: body)
            let result = try await perform(action, body: body, request: request, peer: context.peerAddress)
            var answer = result
            answer["RequestId"] = requestId
            return Self.envelope(["Response": answer])
        } catch let failure as Failure {
            return Self.envelope(["Response": ["Error": ["Code": failure.code, "Message": failure.message], "RequestId": requestId]])
        } catch let error as DeskCommandError {
            return Self.envelope(["Response": ["Error": ["Code": "InvalidParameterValue", "Message": error.info], "RequestId": requestId]])
        } catch let failure as TC3Signature.Failure {
            return Self.envelope(["Response": ["Error": ["Code": failure.code, "Message": failure.message], "RequestId": requestId]])
        } catch {
            return Self.envelope(["Response": ["Error": ["Code": "InvalidParameter", "Message": "the request body is too large or unreadable"], "RequestId": requestId]])
        }
    }

    /// Verifies the signature; returns the action.
    private func authenticate(_ request: Request, body: Data) throws -> String {
        guard let action = request.headers[.init("X-TC-Action")!], !action.isEmpty else {
            throw Failure(code: "MissingParameter", message: "X-TC-Action is required")
        }
        guard let credentials = desk.cloudApi else {
            throw Failure(code: "AuthFailure.SecretIdNotFound", message: "this desk has no desk.cloudApi credentials configured")
        }
        guard let timestamp = request.headers[.init("X-TC-Timestamp")!].flatMap({ Int64($0) }) else {
            throw Failure(code: "MissingParameter", message: "X-TC-Timestamp is required")
        }
        let signed = TC3Signature.Request(
            method: "POST", path: request.uri.path, query: request.uri.query ?? "", contentType: request.headers[.contentType] ?? "",
            host: request.head.authority ?? "", body: body,
            unsignedPayload: request.headers[.init("X-TC-Content-SHA256")!] == "UNSIGNED-PAYLOAD", timestamp: timestamp)
        let service = try TC3Signature.verify(request.headers[.authorization], signed, secretId: credentials.secretId,
                                              secretKey: credentials.secretKey.reveal, now: Int64(now().timeIntervalSince1970))
        guard service == "ccc" else { throw Failure(code: "UnsupportedOperation", message: "this endpoint serves the ccc service, not \(service)") }
        if let version = request.headers[.init("X-TC-Version")!], version != "2020-02-10" {
            throw Failure(code: "InvalidParameterValue", message: "X-TC-Version must be 2020-02-10")
        }
        return action
    }

    private func perform(_ action: String, body: Data, request: Request, peer: String?) async throws -> [String: Any] {
        let parameters = (try? JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body)) as? [String: Any]
        guard let parameters else { throw Failure(code: "InvalidParameter", message: "the body is not a JSON object") }
        guard let appId = (parameters["SdkAppId"] as? NSNumber)?.intValue else { throw Failure(code: "MissingParameter", message: "SdkAppId is required") }
        guard appId == desk.sdkAppId else { throw Failure(code: "InvalidParameterValue", message: "SdkAppId is not this desk's") }
        switch action {
        case "CreateSDKLoginToken":
            let seat = try agent(parameters, "SeatUserId").rawValue
            // OnlyOnce: absent or true, the URL works once (as the desk API's); false, it works until it expires.
            if let once = parameters["OnlyOnce"], !(once is Bool) { throw Failure(code: "InvalidParameterValue", message: "OnlyOnce must be a boolean") }
            let token = try await signIns.mintLink(AgentID(seat), now: now(), onlyOnce: parameters["OnlyOnce"] as? Bool ?? true)
            let expires = Int64(now().timeIntervalSince1970 + WorkbenchSignIns.linkLifetime)
            return ["Token": token, "ExpiredTime": expires, "SdkURL": "\(DeskRoutes.publicBase(request, peer: peer, trustedProxies: trustedProxies))/workbench/sdk/\(token).js"]
        case "CreateAdminURL":
            // DeskBridge has one administrator, `desk.adminIdentifier`: the link signs it in to the console, once, within 10 minutes.
            guard let seat = parameters["SeatUserId"] as? String, !seat.isEmpty else { throw Failure(code: "MissingParameter", message: "SeatUserId is required") }
            guard seat == desk.adminIdentifier else { throw Failure(code: "InvalidParameterValue", message: "SeatUserId must be this desk's administrator") }
            let token = try await consoleSignIns.mintLink(AgentID(seat), now: now())
            return ["URL": "\(DeskRoutes.publicBase(request, peer: peer, trustedProxies: trustedProxies))/console/login/\(token)"]
        case "DescribeIMCdrs":
            var answer = try await describeIMCdrList(parameters)
            answer["IMCdrs"] = answer["IMCdrList"]
            return answer
        case "CreateUserSig":
            return try createUserSig(parameters)
        case "DescribeIMCdrList":
            return try await describeIMCdrList(parameters)
        case "DescribeChatMessages":
            return try await describeChatMessages(parameters)
        case "TransferToManual":
            guard let session = parameters["SessionId"] as? String, !session.isEmpty else { throw Failure(code: "MissingParameter", message: "SessionId is required") }
            _ = try await commands.transferToHuman(as: .admin, sessionId: session, agentIdList: [],
                                                   groupId: (parameters["SkillGroupId"] as? NSNumber)?.intValue, sendTip: false)
            return [:]
        case "DescribeStaffInfoList":
            return try await describeStaff(parameters)
        case "SetStaffStatus":
            return try await setStaffStatus(parameters)
        case "ForceMemberOffline":
            try await control.apply(.forceOffline, to: try agent(parameters, "UserId"))
            return [:]
        case "RestoreMemberOnline":
            try await control.apply(.resumeOnline, to: try agent(parameters, "UserId"))
            return [:]
        default:
            if let answer = try await performDirectory(action, parameters) { return answer }
            if let answer = try await performStatus(action, parameters) { return answer }
            throw Failure(code: "UnsupportedOperation", message: "\(action) is not supported by DeskBridge")
        }
    }

    private var control: AgentControl { AgentControl(commands: commands, signIns: signIns, actor: actor, now: now) }

    /// A parameter naming one of this desk's agents.
    func agent(_ parameters: [String: Any], _ name: String) throws -> AgentID {
        guard let id = parameters[name] as? String, !id.isEmpty else { throw Failure(code: "MissingParameter", message: "\(name) is required") }
        guard desk.agent(AgentID(id)) != nil else { throw Failure(code: "InvalidParameterValue", message: "\(name) \(id) is not an agent of this desk") }
        return AgentID(id)
    }

    /// `DescribeStaffInfoList`: the desk's agents as `StaffInfo` (mail = the agent id, name and
    /// nick = its nickname, its skill groups as IM groups); telephony fields are left out.
    private func describeStaff(_ parameters: [String: Any]) async throws -> [String: Any] {
        let pageSize = min(max((parameters["PageSize"] as? NSNumber)?.intValue ?? 100, 1), 9_999)
        let page = max((parameters["PageNumber"] as? NSNumber)?.intValue ?? 0, 0)
        let mail = parameters["StaffMail"] as? String
        let group = (parameters["SkillGroupId"] as? NSNumber).map { SkillGroupID($0.intValue) }
        let names = Dictionary(uniqueKeysWithValues: desk.skillGroups.map { ($0.id, $0.name) })
        let routing = try await commands.runtime.store.routingSnapshot()
        let matching = desk.agents.filter { agent in
            (mail.map { $0 == agent.id.rawValue } ?? true) && (group.map { wanted in agent.skillGroups.contains { $0.id == wanted } } ?? true)
        }
        let (start, overflow) = page.multipliedReportingOverflow(by: pageSize)
        let staff: [[String: Any]] = (overflow ? [] : Array(matching.dropFirst(start).prefix(pageSize))).map { agent in
            var info: [String: Any] = [
                "Name": agent.nickname, "Mail": agent.id.rawValue, "Nick": agent.nickname, "StaffNumber": agent.staffNo,
                "SkillGroupList": agent.skillGroups.map { ["SkillGroupId": $0.id.rawValue, "SkillGroupName": names[$0.id] ?? "", "Priority": $0.priority, "Type": "IM"] },
            ]
            if let since = routing.agent(agent.id)?.statusSince { info["LastModifyTimestamp"] = Int64(since.timeIntervalSince1970) }
            return info
        }
        return ["TotalCount": matching.count, "StaffList": staff]
    }

    /// `SetStaffStatus`: `free`, `notReady` or `rest` with its `Reason` (`SeatStatus`); up to 10,
    /// all checked before any is set, so a refused call changes nothing.
    private func setStaffStatus(_ parameters: [String: Any]) async throws -> [String: Any] {
        guard let items = parameters["StaffStatusList"] as? [[String: Any]], !items.isEmpty else {
            throw Failure(code: "MissingParameter", message: "StaffStatusList is required")
        }
        guard items.count <= 10 else { throw Failure(code: "InvalidParameterValue", message: "StaffStatusList has at most 10 items") }
        let settings = try await commands.settings()
        let changes = try items.map { item -> (AgentID, SeatStatus) in
            let staff = try agent(item, "StaffUserId")
            let name = item["Status"] as? String ?? ""
            guard ["free", "notReady", "rest"].contains(name), let status = SeatStatus(name: name, restReason: item["Reason"] as? String) else {
                throw Failure(code: "InvalidParameterValue", message: "Status must be free, notReady or rest")
            }
            if let refusal = settings.refusal(of: status) { throw Failure(code: "InvalidParameterValue", message: refusal) }
            return (staff, status)
        }
        for (staff, status) in changes { try await control.apply(.status(status), to: staff) }
        return [:]
    }

    private static func envelope(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
