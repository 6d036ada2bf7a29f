import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address the request
/// arrived from (before `X-Forwarded-For` is considered).
package struct DeskRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    let peerAddress: String?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are collected by the handlers with the configured limit; this is only the ceiling.
    package var maxUploadSize: Int { 16 * 1_024 * 1_024 }
}
