import DeskBridgeCore
import Foundation
import Hummingbird
import NIOCore

/// Tencent Cloud API 3.0 (`POST /` with `X-TC-Action`), the `ccc` service as Tencent's SDKs call
/// it, so a business server built on them works with only its endpoint changed. Every answer is
/// HTTP 200 with a `RequestId`: `{"Response": {…}}`, or `{"Response": {"Error": {"Code",
/// "Message"}}}`, which is when Tencent's SDKs raise. The signature (TC3-HMAC-SHA256) is checked
/// in constant time over the `Host` the client signed, within Tencent's 5-minute window.
struct CloudAPIRoutes: Sendable {
    let desk: DeskConfig
    let signIns: WorkbenchSignIns
    let trustedProxies: TrustedProxies
    let now: @Sendable () -> Date

    func register(on router: Router<DeskRequestContext>) {
        router.post("/") { request, context in await handle(request, context) }
    }

    private struct Failure: Error {
        var code: String
        var message: String
    }

    private func handle(_ request: Request, _ context: DeskRequestContext) async -> Response {
        let requestId = UUID().uuidString.lowercased()
        do {
            var request = request
            let body = Data(buffer: try await request.collectBody(upTo: 64 * 1_024))
            let action = try authenticate(request, body: body)
            let result = try perform(action, body: body, request: request, peer: context.peerAddress)
            var answer = result
            answer["RequestId"] = requestId
            return Self.envelope(["Response": answer])
        } catch let failure as Failure {
            return Self.envelope(["Response": ["Error": ["Code": failure.code, "Message": failure.message], "RequestId": requestId]])
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

    private func perform(_ action: String, body: Data, request: Request, peer: String?) throws -> [String: Any] {
        let parameters = (try? JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body)) as? [String: Any]
        guard let parameters else { throw Failure(code: "InvalidParameter", message: "the body is not a JSON object") }
        switch action {
        case "CreateSDKLoginToken":
            guard let appId = (parameters["SdkAppId"] as? NSNumber)?.intValue else { throw Failure(code: "MissingParameter", message: "SdkAppId is required") }
            guard appId == desk.sdkAppId else { throw Failure(code: "InvalidParameterValue", message: "SdkAppId is not this desk's") }
            guard let seat = parameters["SeatUserId"] as? String, !seat.isEmpty else { throw Failure(code: "MissingParameter", message: "SeatUserId is required") }
            guard desk.agent(AgentID(seat)) != nil else { throw Failure(code: "InvalidParameterValue", message: "SeatUserId \(seat) is not an agent of this desk") }
            let token = signIns.mintSDKToken(AgentID(seat), now: now())
            let expires = Int64(now().timeIntervalSince1970 + WorkbenchSignIns.sdkTokenLifetime)
            return ["Token": token, "ExpiredTime": expires, "SdkURL": "\(DeskRoutes.publicBase(request, peer: peer, trustedProxies: trustedProxies))/workbench/sdk/\(token).js"]
        default:
            throw Failure(code: "UnsupportedOperation", message: "\(action) is not supported by DeskBridge")
        }
    }

    private static func envelope(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
