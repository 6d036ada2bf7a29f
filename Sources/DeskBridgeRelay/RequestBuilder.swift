import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// Resolves a stored outbox row into a request: base URL, credentials and callback
/// parameters are applied at delivery time, so they are never stored.
package struct RequestBuilder: Sendable {
    let channel: ChannelConfig
    let desk: DeskConfig
    let tokens: any TokenProvider

    package init(channel: ChannelConfig, desk: DeskConfig, tokens: any TokenProvider) {
        self.channel = channel
        self.desk = desk
        self.tokens = tokens
    }

    /// Nil when the target is not configured (e.g. session events without a URL).
    package func request(for item: OutboxItem, now: Date) async throws -> OutboundRequest? {
        var headers = [("Content-Type", "application/json; charset=utf-8")]
        switch item.target {
        case .google:
            if let authorization = try await tokens.authorization() { headers.append(("Authorization", authorization)) }
            let base = channel.apiBaseURL.hasSuffix("/") ? String(channel.apiBaseURL.dropLast()) : channel.apiBaseURL
            return OutboundRequest(method: item.method, url: base + item.path, headers: headers, body: item.body,
                                   timeout: .milliseconds(channel.retry.requestTimeoutMs))
        case .sessionEvents:
            return callback(desk.callbacks.sessionEvents, command: "Desk.SessionEventNotify", item: item, headers: headers, now: now)
        case .assignment:
            return callback(desk.callbacks.assignment, command: "ChatBot.OnAssignHuman", item: item, headers: headers, now: now)
        case .interface:
            // A plain POST of the node's request map: no envelope, no query parameters (CONTRACT §2).
            let job = try JSONDecoder().decode(InterfaceCallJob.self, from: item.body)
            return OutboundRequest(method: "POST", url: job.call.url, headers: headers, body: try JSONEncoder.canonical().encode(job.call.request),
                                   timeout: .milliseconds(job.call.timeoutMs))
        }
    }

    /// A business-server callback: the endpoint's URL with the signed query, the stored body, its deadline.
    private func callback(_ endpoint: DeskConfig.Endpoint, command: String, item: OutboxItem, headers: [(String, String)], now: Date) -> OutboundRequest? {
        guard let url = endpoint.url else { return nil }
        let query = Self.callbackQuery(desk: desk, command: command, clientIP: item.clientIP, requestId: item.callId, now: now)
        return OutboundRequest(method: "POST", url: url + (url.contains("?") ? "&" : "?") + query, headers: headers, body: item.body,
                               timeout: .milliseconds(endpoint.timeoutMs))
    }

    /// The query every business-server callback carries (CONTRACT §4).
    package static func callbackQuery(desk: DeskConfig, command: String, clientIP: String?, requestId: String, now: Date) -> String {
        var items: [(String, String)] = [
            ("SdkAppid", String(desk.sdkAppId)), ("CallbackCommand", command), ("contenttype", "json"),
            ("ClientIP", clientIP ?? ""), ("OptPlatform", "RESTAPI"),
        ]
        if let token = desk.callbackToken, !token.isEmpty {
            let time = Int64(now.timeIntervalSince1970)
            items.append(("RequestTime", String(time)))
            items.append(("Sign", CallbackSignature.sign(token: token.reveal, requestTime: time)))
        }
        items.append(("RequestID", requestId))
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }
}
