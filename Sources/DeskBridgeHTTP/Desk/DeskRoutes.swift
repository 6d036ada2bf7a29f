import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// The Tencent-style desk APIs. Every call proves its identity with a UserSig (TLS sig v2)
/// for `identifier`: the admin, or an agent acting for itself.
struct DeskRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    let maxBodyBytes: Int
    /// The workbench's sign-ins, where an SDK login token is kept until its script is fetched.
    let signIns: WorkbenchSignIns
    let trustedProxies: TrustedProxies
    let now: @Sendable () -> Date
    /// Reads the configuration file again (README, "Reloading flows").
    let reloadConfig: @Sendable () -> FlowReloadOutcome

    func register(on router: Router<DeskRequestContext>) {
        route(router, "/v4/openim/sendmsg") { identity, data in
            let request = try decode(SendMsgRequest.self, data)
            guard let body = request.MsgBody, !body.isEmpty else { throw DeskCommandError.badMsgBody("MsgBody is missing or empty") }
            let sent = try await commands.sendMessage(as: identity, from: request.From_Account, to: request.To_Account, body: body,
                                                      cloudCustomData: request.CloudCustomData)
            return DeskAnswer(MsgTime: sent.msgTime, MsgKey: sent.msgKey)
        }
        route(router, "/v4/desk_http_svc/end_session") { identity, data in
            try await commands.endSession(as: identity, sessionId: try decode(SessionRequest.self, data).SessionId)
            return DeskAnswer()
        }
        route(router, "/v4/desk_http_svc/get_session_state") { identity, data in
            let request = try decode(SessionRequest.self, data)
            let state = try await commands.sessionState(as: identity, sessionId: request.SessionId, clientUserId: request.ClientUserId)
            return DeskAnswer(SessionId: state.sessionId, CurrentState: state.state, AgentId: state.agentId)
        }
        route(router, "/v4/desk_http_svc/get_session_records") { identity, data in
            let request = try decode(SessionRequest.self, data)
            let records = try await commands.sessionRecords(as: identity, sessionId: request.SessionId, clientUserId: request.ClientUserId)
            return DeskAnswer(Sessions: SessionRecordsAnswer.sessions(records))
        }
        route(router, "/v4/desk_http_svc/accept_session") { identity, data in
            let request = try decode(SessionRequest.self, data)
            try await commands.acceptSession(as: identity, sessionId: request.SessionId, agentId: request.AgentId)
            return DeskAnswer()
        }
        route(router, "/v4/desk_http_svc/transfer_to_human") { identity, data in
            let request = try decode(TransferRequest.self, data)
            let result = try await commands.transferToHuman(as: identity, sessionId: request.SessionId, agentIdList: request.AgentIdList ?? [],
                                                            groupId: request.AgentGroupId, sendTip: (request.SendTipIfNoAgentOnline ?? 0) != 0)
            return DeskAnswer(AgentId: result.agentId, IsInQueue: result.queued ? 1 : 0)
        }
        route(router, "/v4/desk_http_svc/transfer_session") { identity, data in
            let request = try decode(TransferRequest.self, data)
            let result = try await commands.transferSession(as: identity, sessionId: request.SessionId, agentId: request.AgentId, groupId: request.AgentGroupId)
            return DeskAnswer(AgentId: result.agentId, IsInQueue: result.queued ? 1 : 0)
        }
        // Tencent's CreateSDKLoginToken: a script URL for the agent Web SDK, valid 10 minutes, usable once.
        route(router, "/v4/desk_http_svc/create_sdk_login_token") { identity, data, request, peer in
            guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
            guard let agent = try decode(SDKLoginRequest.self, data).UserId, !agent.isEmpty, desk.agent(AgentID(agent)) != nil else {
                throw DeskCommandError.unknownAgentOrGroup
            }
            let token = try await signIns.mintLink(AgentID(agent), now: now())
            return DeskAnswer(SdkURL: "\(Self.publicBase(request, peer: peer, trustedProxies: trustedProxies))/workbench/sdk/\(token).js")
        }
        // Additions: a privacy erasure of one user, and the audit trail that records it.
        route(router, "/v4/desk_http_svc/erase_user_data") { identity, data in
            let request = try decode(SessionRequest.self, data)
            let erased = try await commands.eraseUserData(as: identity, actor: desk.adminIdentifier, clientUserId: request.ClientUserId)
            return DeskAnswer(Erased: .init(erased))
        }
        route(router, "/v4/desk_http_svc/get_audit_trail") { identity, data in
            let entries = try await commands.auditTrail(as: identity, limit: try decode(AuditTrailRequest.self, data).Limit)
            return DeskAnswer(AuditTrail: entries.map(AuditAnswer.init))
        }
        // An addition: the configuration file read again, its flows for new sessions.
        route(router, "/v4/desk_http_svc/reload_config") { identity, _ in
            guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
            switch reloadConfig() {
            case .reloaded(let version, let changed, let restartNeeded):
                return DeskAnswer(FlowsVersion: version, FlowsChanged: changed ? 1 : 0, RestartNeeded: restartNeeded)
            case .refused(let problems):
                var answer = DeskAnswer.failure(91001, "the configuration has problems; the running one stays")
                answer.Problems = problems.map(\.description)
                return answer
            case .unavailable:
                return .failure(91002, "this service was not started from a configuration file it can read again")
            }
        }
        route(router, "/v4/desk_http_svc/set_agent_status") { identity, data in
            let request = try decode(AgentStatusRequest.self, data)
            try await commands.setAgentStatus(as: identity, agentId: request.AgentId, status: request.Status, restReason: request.RestReason)
            return DeskAnswer()
        }
        registerAgentReads(on: router)
    }

    func route(_ router: Router<DeskRequestContext>, _ path: String,
               _ handler: @escaping @Sendable (DeskIdentity, Data) async throws -> DeskAnswer) {
        route(router, path) { identity, data, _, _ in try await handler(identity, data) }
    }

    /// The scheme and host the caller reached DeskBridge at (through a trusted proxy, the one it says).
    /// Whether the client reached DeskBridge over TLS: a trusted proxy in front says so.
    static func cameOverTLS(_ request: Request, peer: String?, trustedProxies: TrustedProxies) -> Bool {
        peer.map(trustedProxies.contains) == true && request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func publicBase(_ request: Request, peer: String?, trustedProxies: TrustedProxies) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        let proto = cameOverTLS(request, peer: peer, trustedProxies: trustedProxies) ? "https" : "http"
        return "\(proto)://\(host)"
    }

    private func route(_ router: Router<DeskRequestContext>, _ path: String,
                       _ handler: @escaping @Sendable (DeskIdentity, Data, Request, String?) async throws -> DeskAnswer) {
        router.post(RouterPath(path)) { request, context -> Response in
            var request = request
            let answer: DeskAnswer
            do {
                let identity = try authenticate(request.uri)
                let buffer = try await request.collectBody(upTo: maxBodyBytes)
                answer = try await handler(identity, Data(buffer.readableBytesView), request, context.peerAddress)
            } catch let error as DeskCommandError {
                answer = .failure(error.code, error.info)
            } catch let error as UserSig.Failure {
                answer = .failure(error.errorCode, error.message)
            } catch let error as AuthFailure {
                answer = .failure(error.code, error.info)
            } catch is NIOTooManyBytesError {
                answer = .failure(93000, "request body exceeds \(maxBodyBytes) bytes")
            } catch {
                context.logger.error("desk call failed", metadata: ["path": "\(path)", "error": "\(error)"])
                answer = .failure(91000, "internal error; retry later")
            }
            let data = (try? JSONEncoder().encode(answer)) ?? Data()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private struct AuthFailure: Error {
        var code: Int
        var info: String
    }

    /// Checks `sdkappid`, verifies `usersig` for `identifier`, and maps the identifier to a role.
    private func authenticate(_ uri: URI) throws -> DeskIdentity {
        let query = uri.queryParameters
        guard let appId = query["sdkappid"].flatMap({ Int(String($0)) }), appId == desk.sdkAppId else {
            throw AuthFailure(code: 60006, info: "sdkappid is missing or not this application's")
        }
        guard let identifier = query["identifier"].map(String.init), !identifier.isEmpty,
            let userSig = query["usersig"].map(String.init), !userSig.isEmpty
        else { throw AuthFailure(code: 70003, info: "identifier and usersig are required") }
        try UserSig.verify(userSig, identifier: identifier, sdkAppId: desk.sdkAppId, secretKey: desk.secretKey.reveal,
                           now: Int64(now().timeIntervalSince1970))
        if identifier == desk.adminIdentifier { return .admin }
        guard desk.agent(AgentID(identifier)) != nil else { throw DeskCommandError.identityMayNotAct }
        return .agent(AgentID(identifier))
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw DeskCommandError.badJSON("body is not JSON")
        } catch let error as DecodingError {
            let path: [any CodingKey]
            switch error {
            case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                path = context.codingPath
            @unknown default:
                path = []
            }
            let field = KeyPath.render(path)
            if field.hasPrefix("MsgBody") { throw DeskCommandError.badMsgBody("\(field) is not a valid element") }
            throw DeskCommandError.badJSON("\(field.isEmpty ? "body" : field) has the wrong shape")
        }
    }
}
