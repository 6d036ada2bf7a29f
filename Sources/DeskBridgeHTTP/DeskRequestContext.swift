import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address the request
/// arrived from (before `X-Forwarded-For` is considered).
struct DeskRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peerAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are collected by the handlers with the configured limit; this is only the ceiling.
    var maxUploadSize: Int { 16 * 1_024 * 1_024 }
}

/// The client address for logs and `ClientIP`: `X-Forwarded-For` is believed only when the
/// peer is a trusted proxy, and then the right-most address that is not itself trusted wins.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    func resolve(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? hops.first ?? peer
    }
}
