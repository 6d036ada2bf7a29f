import HummingbirdCore
import NIOHTTPTypes
import NIOCore

/// Closes a connection whose request does not arrive in time, so slow or stalled clients cannot
/// hold connections open (`server.headerTimeoutSeconds`, `server.bodyTimeoutSeconds`).
///
/// The first request's head must be complete within the header timeout of the connection being
/// accepted; every request's body must be complete within the body timeout of its head. Between
/// requests the connection is governed by Hummingbird's idle timeout (`server.idleTimeoutSeconds`),
/// which bytes of an unfinished head do not reset either. Trickling one byte at a time therefore
/// buys nothing.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var sawFirstHead = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, !sawFirstHead { arm(context, headerTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, !sawFirstHead { arm(context, headerTimeout) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            arm(context, bodyTimeout)
        case .body:
            break
        case .end:
            disarm()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        disarm()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            bound.value.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
