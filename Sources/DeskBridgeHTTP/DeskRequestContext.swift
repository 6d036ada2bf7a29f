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
