import DeskBridgeCoordination
import DeskBridgeRuntime
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import ServiceLifecycle

/// A Server-Sent Events response over change notifications: `event: hello` on connect (the page
/// then reads its state), `event: change` with an increasing `id`, a comment every 15 s (the
/// feed's keep-alive) so a dead connection is noticed, and `retry: 2000`. It ends when the client
/// goes away or the service stops. An idle stream is its connection and this one waiting loop.
enum EventStream {
    static func response(_ subscription: ChangeSubscription, lastId: UInt64) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: 2000\nid: \(lastId)\nevent: hello\ndata: {}\n\n"))
                for await change in subscription.changes {
                    if change.isKeepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    } else {
                        let conversation = change.conversation.map { "\"\($0.clientUserId.rawValue)\"" } ?? "null"
                        try await writer.write(ByteBuffer(string: "id: \(change.id)\nevent: change\ndata: {\"clientUserId\":\(conversation)}\n\n"))
                    }
                }
            } onGracefulShutdown: {
                subscription.end()
            }
            try await writer.finish(nil)
        })
    }
}

/// A page's static files (HTML, CSS, ES modules) from `Public/<folder>`, read once, served as
/// they are with a strict Content-Security-Policy and no inline script.
struct PageAssets: Sendable {
    let files: [String: Data]

    init(folder: String) {
        var files: [String: Data] = [:]
        if let directory = Bundle.module.resourceURL?.appendingPathComponent("Public/\(folder)"),
           let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            for name in names { files[name] = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) }
        }
        self.files = files
    }

    func response(_ name: String, policy: String, extraHeaders: HTTPFields = [:]) -> Response {
        guard let data = files[name] else { return Response(status: .notFound) }
        let type = name.hasSuffix(".html") ? "text/html; charset=utf-8" : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
        var headers: HTTPFields = [
            .contentType: type, .contentSecurityPolicy: policy, .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "no-referrer", .cacheControl: "no-cache",
        ]
        headers.append(contentsOf: extraHeaders)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
