import DeskBridgeCore
import Foundation
import Hummingbird
import NIOCore

/// The API plumbing shared by the signed-in pages (workbench, console): a read needs a live
/// sign-in cookie; a change also needs the sign-in's CSRF token in `X-CSRF-Token` and a JSON
/// object body. A refused command is a 4xx naming its Tencent code, and changes nothing.
///
/// The agent Web SDK runs on the business's own origin, where DeskBridge's cookie would be a
/// third-party cookie (blocked); it sends its sign-in as `Authorization: Bearer …` instead. Such
/// a request needs no CSRF token (a browser never adds that header by itself) and its answer
/// may be read cross-origin.
struct SignedInAPI: Sendable {
    let signIns: WorkbenchSignIns
    let cookieName: String
    let now: @Sendable () -> Date
    /// Whether bearer sign-ins (the SDK's) are taken here.
    var allowsBearer = false

    /// The sign-in token the request carries, and whether it came as a bearer.
    func token(_ request: Request) -> (token: String, bearer: Bool)? {
        if allowsBearer, let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return (String(header.dropFirst("Bearer ".count)), true)
        }
        return request.cookies[cookieName].map { ($0.value, false) }
    }

    func signIn(_ request: Request) async throws -> WorkbenchSignIns.SignIn? {
        try await signIns.signIn(token: token(request)?.token, now: now())
    }

    /// A sign-in: `{agentId?, userSig}` or `{agentId?, password}` as JSON, for the identifier
    /// `identify` picks: the UserSig verified, or the password checked against the account's
    /// `passwordHash` (at most 5 tries a minute per account and 30 per client address; an unknown
    /// account costs the same time as a wrong password and gets the same answer). Then `admit`'s
    /// last word (a refusal, or nil to let it in). Answers with the session's cookie on `path`:
    /// HttpOnly, SameSite=Strict, and Secure when the request came over TLS through a trusted proxy.
    func signIn(_ request: Request, peer: String?, desk: DeskConfig, trustedProxies: TrustedProxies, path: String,
                identify: (SignInBody) -> String?, passwordHash: (AgentID) -> PasswordHash?,
                admit: (AgentID) async throws -> Response? = { _ in nil }) async throws -> Response {
        var request = request
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return Self.refusal(.unsupportedMediaType, "send JSON") }
        let body = try await request.collectBody(upTo: 16 * 1_024)
        guard let sign = try? JSONDecoder().decode(SignInBody.self, from: Data(buffer: body)), let identifier = identify(sign),
              sign.userSig?.isEmpty == false || sign.password?.isEmpty == false else {
            return Self.refusal(.badRequest, "an ID and a userSig or password are required")
        }
        if let password = sign.password, !password.isEmpty {
            let client = trustedProxies.clientAddress(peer: peer, forwardedFor: request.headers[.init("X-Forwarded-For")!]) ?? "unknown"
            if let wait = signIns.attempts.admit([(key: "account|\(identifier)", perMinute: 5), (key: "address|\(client)", perMinute: 30)]) {
                var refusal = Self.refusal(.tooManyRequests, "too many sign-in attempts; try again in \(wait) s")
                refusal.headers[.retryAfter] = String(wait)
                return refusal
            }
            let hash = passwordHash(AgentID(identifier))
            let matches = (hash ?? PasswordHash.decoy).verifies(password)
            guard hash != nil, matches else { return Self.refusal(.unauthorized, "the ID or password is wrong") }
        } else {
            do {
                try UserSig.verify(sign.userSig ?? "", identifier: identifier, sdkAppId: desk.sdkAppId, secretKey: desk.secretKey.reveal,
                                   now: Int64(now().timeIntervalSince1970))
            } catch {
                return Self.refusal(.unauthorized, "\(error.message) (a UserSig for \(identifier) is needed)")
            }
        }
        if let refusal = try await admit(AgentID(identifier)) { return refusal }
        return try await signedIn(AgentID(identifier), try Self.json(["ok": true]), request: request, peer: peer, trustedProxies: trustedProxies, path: path)
    }

    /// `response` with a fresh sign-in for `identity` in its cookie: HttpOnly, SameSite=Strict, on
    /// `path`, and Secure when the request came over TLS through a trusted proxy.
    func signedIn(_ identity: AgentID, _ response: Response, request: Request, peer: String?, trustedProxies: TrustedProxies, path: String) async throws -> Response {
        let (token, _) = try await signIns.signIn(identity, now: now())
        let viaTLS = DeskRoutes.cameOverTLS(request, peer: peer, trustedProxies: trustedProxies)
        var response = response
        response.setCookie(Cookie(name: cookieName, value: token, maxAge: Int(signIns.lifetime), path: path, secure: viaTLS, httpOnly: true, sameSite: .strict))
        return response
    }

    struct SignInBody: Decodable {
        var agentId: String?
        var userSig: String?
        var password: String?
    }

    /// The answer to a browser's CORS preflight for a bearer call.
    static func preflight() -> Response {
        Response(status: .noContent, headers: [
            .accessControlAllowOrigin: "*", .accessControlAllowHeaders: "Authorization, Content-Type",
            .accessControlAllowMethods: "GET, POST", .accessControlMaxAge: "600",
        ])
    }

    static func crossOrigin(_ response: Response, bearer: Bool) -> Response {
        guard bearer else { return response }
        var response = response
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// A read for a signed-in page.
    func get(_ router: Router<DeskRequestContext>, _ path: RouterPath,
                     _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, Request) async throws -> any Encodable) {
        if allowsBearer { router.on(path, method: .options) { _, _ in Self.preflight() } }
        router.get(path) { request, _ in
            let bearer = token(request)?.bearer ?? false
            guard let signIn = try await signIn(request) else {
                return Self.crossOrigin(Self.refusal(.unauthorized, "sign in first"), bearer: bearer)
            }
            return Self.crossOrigin(try await Self.answer { try await handler(signIn, request) }, bearer: bearer)
        }
    }

    /// A state-changing call: signed in, the CSRF token in `X-CSRF-Token`, a JSON object body,
    /// given to the handler as its string and number fields.
    func post(_ router: Router<DeskRequestContext>, _ path: RouterPath,
                      _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, String, [String: String]) async throws -> any Encodable) {
        post(router, path) { signIn, token, data in
            guard let object = (try? JSONSerialization.jsonObject(with: data.isEmpty ? Data("{}".utf8) : data)) as? [String: Any] else {
                throw DeskCommandError.badJSON("the body is not a JSON object")
            }
            let fields = object.compactMapValues { value -> String? in
                switch value {
                case let text as String: text
                case let number as NSNumber: number.stringValue
                default: nil
                }
            }
            return try await handler(signIn, token, fields)
        }
    }

    /// A state-changing call whose JSON body the handler decodes as `Body`; a body that does not
    /// decode is a 400 naming what is wrong.
    func post<Body: Decodable & Sendable>(_ router: Router<DeskRequestContext>, _ path: RouterPath, as _: Body.Type,
                                          _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, Body) async throws -> any Encodable) {
        post(router, path) { signIn, _, data in
            let body: Body
            do { body = try JSONDecoder().decode(Body.self, from: data) } catch { throw DeskCommandError.badJSON(Self.describe(error)) }
            return try await handler(signIn, body)
        }
    }

    private func post(_ router: Router<DeskRequestContext>, _ path: RouterPath,
                      handler: @escaping @Sendable (WorkbenchSignIns.SignIn, String, Data) async throws -> any Encodable) {
        if allowsBearer { router.on(path, method: .options) { _, _ in Self.preflight() } }
        router.post(path) { request, _ in
            var request = request
            guard let (token, bearer) = token(request), let signIn = try await signIns.signIn(token: token, now: now()) else {
                return Self.refusal(.unauthorized, "sign in first")
            }
            guard bearer || WorkbenchSignIns.matches(request.headers[.init("X-CSRF-Token")!], signIn.csrfToken) else {
                return Self.refusal(.forbidden, "the CSRF token is missing or wrong")
            }
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return Self.refusal(.unsupportedMediaType, "send JSON") }
            let data = Data(buffer: try await request.collectBody(upTo: 64 * 1_024))
            return Self.crossOrigin(try await Self.answer { try await handler(signIn, token, data) }, bearer: bearer)
        }
    }

    /// A decoding error as a person reads it: the field and what is wrong, never the input.
    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\((path(context) + "." + key.stringValue).trimmingCharacters(in: CharacterSet(charactersIn: "."))) is required"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context)?: return context.codingPath.isEmpty ? "the body is not a JSON object" : "\(path(context)) is not valid"
        default: return "the body is not a JSON object"
        }
    }

    static func field(_ body: [String: String], _ name: String) throws -> String {
        guard let value = body[name] else { throw DeskCommandError.badJSON("\(name) is required") }
        return value
    }

    /// Runs a handler; a refused command is a 4xx naming the Tencent code, and changes nothing.
    static func answer(_ handler: () async throws -> any Encodable) async throws -> Response {
        try await answerResponse { try json(try await handler()) }
    }

    /// A refused desk command as its status and code; anything else propagates.
    static func answerResponse(_ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch let error as DeskCommandError {
            let status: HTTPResponse.Status = switch error.code {
            case 120001, 120005: .forbidden
            case 120002, 120003: .notFound
            case 120004: .conflict
            default: .badRequest
            }
            return refusal(status, error.info, code: error.code)
        }
    }

    static func json(_ value: any Encodable) throws -> Response {
        let encoder = JSONEncoder()
        // Sorted keys: the same value reads the same twice (the chat page compares entries by it).
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String, code: Int? = nil) -> Response {
        struct Body: Encodable { var error: String; var code: Int? }
        let data = (try? JSONEncoder().encode(Body(error: message, code: code))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
