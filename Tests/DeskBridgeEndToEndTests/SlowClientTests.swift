import DeskBridgeTestSupport
import Foundation
import Testing

/// Slow or stalled clients cannot hold connections: an unfinished head, an unfinished body and
/// an idle keep-alive connection are each closed by the service (short timeouts configured here;
/// the socket's own receive timeout is far longer, so only the service can end the wait early).
@Suite("Slow clients are cut off", .serialized)
struct SlowClientTests {
    static let timeouts = ", headerTimeoutSeconds: 0.5, bodyTimeoutSeconds: 0.5, idleTimeoutSeconds: 0.5"

    @Test func anUnfinishedHeadAnUnfinishedBodyAndAnIdleConnectionAreClosed() async throws {
        try await Deployment.with(serverTimeouts: Self.timeouts) { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }

            let head = try RawConnection(port: service.port)
            try head.send("POST /webhooks/business-messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            #expect(head.readUntilClosed().closedByServer, "a head that never finishes")

            let trickle = try RawConnection(port: service.port)
            try trickle.send("POST /webhooks/business-messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200\r\n\r\n{\"agent\":")
            #expect(trickle.readUntilClosed().closedByServer, "a body that never finishes")

            let idle = try RawConnection(port: service.port)
            try idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = idle.readUntilClosed()
            #expect(answer.text.hasPrefix("HTTP/1.1 200"), "the request itself is answered")
            #expect(answer.closedByServer, "then the idle keep-alive connection is closed")

            let metrics = try await HTTP.get(service.baseURL + "/metrics")
            #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"deskbridge_webhooks_total{outcome="aborted"} 1"#),
                    "the stalled upload counts as aborted, not too_large")
        }
    }
}

/// A plain TCP connection, for sending half a request.
struct RawConnection {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socket, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Reads until the peer closes (true) or the 20 s receive timeout passes (false).
    func readUntilClosed() -> (closedByServer: Bool, text: String) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        defer { close(socket) }
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer.prefix(count)
                continue
            }
            let closed = count == 0 || errno == ECONNRESET
            return (closed, String(decoding: received, as: UTF8.self))
        }
    }
}
