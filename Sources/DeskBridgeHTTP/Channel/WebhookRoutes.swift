import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import Logging
import Metrics

/// `POST /webhooks/business-messages` (CONTRACT §3): size, handshake, signature, parse, store —
/// in that order — and a 200 only once the event is durably committed.
struct WebhookRoutes: Sendable {
    let runtime: ConversationRuntime
    let verifier: WebhookSignatureVerifier
    let clientToken: Secret?
    let maxBodyBytes: Int
    let trustedProxies: TrustedProxies

    func register(on router: Router<DeskRequestContext>) {
        // Made once: looking a metric up in the factory on every webhook costs more than counting.
        let counters = Dictionary(uniqueKeysWithValues: Self.outcomes.map { ($0, Counter(label: "deskbridge_webhooks_total", dimensions: [("outcome", $0)])) })
        let duration = Timer(label: "deskbridge_webhook_duration_seconds", preferredDisplayUnit: .seconds)
        router.post("/webhooks/business-messages") { request, context in
            let started = ContinuousClock.now
            // Behind a proxy the peer is the proxy; the client is in X-Forwarded-For (trusted hops only).
            let client = trustedProxies.clientAddress(peer: context.peerAddress, forwardedFor: request.headers[.init("X-Forwarded-For")!])
            let (response, outcome) = await handle(request, client: client, context: context)
            if Self.refusals.contains(outcome) {
                context.logger.notice("webhook refused", metadata: ["outcome": "\(outcome)", "client": "\(client ?? "?")"])
            }
            (counters[outcome] ?? Counter(label: "deskbridge_webhooks_total", dimensions: [("outcome", outcome)])).increment()
            duration.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
            return response
        }
    }

    /// Every value of `deskbridge_webhooks_total`'s `outcome` label.
    private static let outcomes = ["accepted", "duplicate", "handshake", "store_unavailable", "aborted"] + refusals.sorted()

    /// Outcomes logged with the client address: someone sent something DeskBridge will not take.
    private static let refusals: Set<String> = ["too_large", "handshake_rejected", "bad_signature", "malformed"]

    private func handle(_ request: Request, client: String?, context: DeskRequestContext) async -> (Response, String) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return (Self.error(.contentTooLarge, "body exceeds \(maxBodyBytes) bytes"), "too_large")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return (Self.error(.contentTooLarge, "body exceeds \(maxBodyBytes) bytes"), "too_large")
        } catch {
            // The client went away or missed the body deadline mid-upload; nobody reads the answer.
            return (Self.error(.badRequest, "the body did not arrive"), "aborted")
        }
        let body = Data(buffer.readableBytesView)
        let decoded = Result { () throws(WebhookDecodingError) in try WebhookBody.decode(body) }

        if case .success(.handshake(let token, let secret)) = decoded {
            guard let clientToken, !clientToken.isEmpty, ConstantTime.equal(token, clientToken.reveal) else {
                return (Self.error(.forbidden, "clientToken does not match"), "handshake_rejected")
            }
            return (Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: secret))), "handshake")
        }
        guard verifier.isValid(signature: request.headers[.init("X-Goog-Signature")!], body: body) else {
            return (Self.error(.unauthorized, "X-Goog-Signature is missing or does not match the body"), "bad_signature")
        }
        let webhook: GoogleWebhook
        switch decoded {
        case .success(.event(let event)): webhook = event
        case .success(.handshake): return (Self.error(.badRequest, "unexpected handshake"), "malformed")
        case .failure(let problem): return (Self.error(.badRequest, problem.description), "malformed")
        }
        if !webhook.unreadableFields.isEmpty {
            context.logger.notice("webhook fields unreadable; treated as absent",
                                  metadata: ["fields": "\(webhook.unreadableFields.joined(separator: ", "))", "conversation": "\(webhook.conversation)"])
        }
        do {
            let outcome = try await runtime.store.accept(webhook.conversation, dedupeKeys: webhook.dedupeKeys, body: body,
                                                         clientIP: client, receivedAt: runtime.clock.now())
            if case .accepted = outcome { runtime.processing.signal() }
            return (Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}"))),
                    outcome == .duplicate ? "duplicate" : "accepted")
        } catch {
            context.logger.error("webhook not stored", metadata: ["error": "\(error)", "conversation": "\(webhook.conversation)", "client": "\(client ?? "?")"])
            return (Self.error(.serviceUnavailable, "storage unavailable; retry later"), "store_unavailable")
        }
    }

    /// Google-style error body: `{"error":{"code":…,"message":…}}`. Never echoes secrets.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        struct Body: Encodable {
            struct Inner: Encodable { var code: Int; var message: String }
            var error: Inner
        }
        let data = (try? JSONEncoder().encode(Body(error: .init(code: status.code, message: message)))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
