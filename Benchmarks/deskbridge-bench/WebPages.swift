import AsyncHTTPClient
import DeskBridgeCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Website visitors with the chat open: `pages` idle chat pages (each the event stream a page
/// keeps open) held by a `deskbridge serve` child process, whose resident memory is read before
/// and after; then the time from a visitor's send to the agent's workbench stream, one visitor
/// at a time. The server runs as its own process so its memory and file descriptors are its own,
/// not the load generator's; it is the `deskbridge` built next to this benchmark.
func runWebPages(pages: Int, samples: Int, work: URL) async throws {
    try await withGoogleStandIn(ArrivalLog()) { google in
        try await withServerProcess("web pages", work: work, config: { port in
            WebPagesPayload.config(google: google, port: port, database: work.appendingPathComponent("web-pages.sqlite").path)
        }) { base, port, server, pool in
            try await measurePages(base, port: port, server: server, pages: pages, samples: samples, pool: pool)
        }
    }
}

/// Runs `deskbridge serve` (built next to this benchmark) as a child process on a free port with
/// the configuration `config(port)` gives, and `body` once it is ready; prints why if it cannot.
func withServerProcess(_ name: String, work: URL, config: (Int) -> String,
                       _ body: (_ base: String, _ port: Int, _ server: Process, _ pool: HTTPClient) async throws -> Void) async throws {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("deskbridge")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print("\(name) skipped: build `deskbridge` too (swift build -c release) so it runs as its own process")
        return
    }
    let port = try freePort()
    let file = work.appendingPathComponent("\(name.replacingOccurrences(of: " ", with: "-")).yaml")
    try config(port).write(to: file, atomically: true, encoding: .utf8)
    let server = Process()
    server.executableURL = binary
    server.arguments = ["serve", "--config", file.path]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { server.terminate(); server.waitUntilExit() }
    let base = "http://127.0.0.1:\(port)"
    let pool = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
        timeout: .init(connect: .seconds(10), read: .seconds(120)),
        connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)))
    if await ready(base, client: pool) {
        do { try await body(base, port, server, pool) } catch { print("\(name) failed: \(error)") }
    } else {
        print("\(name) skipped: the service did not start")
    }
    try await pool.shutdown()
}

private func measurePages(_ base: String, port: Int, server: Process, pages: Int, samples: Int, pool: HTTPClient) async throws {
        // 1. Idle pages: each opens its stream and waits; memory is read once all are open. The
        // pages are bare connections (a request, then reading until `hello`), so the load
        // generator opens them as fast as the server takes them.
        let before = residentKiB(server.processIdentifier)
        let open = Tally()
        let channels = try await withThrowingTaskGroup(of: (any Channel)?.self) { group in
            var channels: [any Channel] = []
            for index in 0..<pages {
                if index >= 256, case let channel?? = try await group.next() { channels.append(channel) }
                group.addTask { try? await openPage(port: port, visitor: WebPagesPayload.visitor(index), heard: open) }
            }
            for try await case let channel? in group { channels.append(channel) }
            return channels
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while open.count < channels.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let opened = open.count
        let after = residentKiB(server.processIdentifier)
        print(String(format: "%-11@ %d idle chat pages open: server RSS %.0f → %.0f MiB, %.1f KiB a page", "web pages" as NSString,
                     opened, Double(before) / 1_024, Double(after) / 1_024, opened > 0 ? Double(after - before) / Double(opened) : 0))

        // 2. Send → agent: visitors held by the agent send, one at a time; each is timed until
        // the agent's workbench stream names its conversation.
        let latencies = try await sendToAgent(base, samples: samples, client: pool)
        for channel in channels { channel.close(promise: nil) }
        guard !latencies.isEmpty else {
            print("web send    failed: no visitor message reached the agent's stream")
            return
        }
        print(String(format: "%-11@ visitor send → agent's stream  %@  (%d visitors, one at a time, with the pages above open)",
                     "web send" as NSString, percentiles(latencies) as NSString, latencies.count))
}

private func sendToAgent(_ base: String, samples: Int, client: HTTPClient) async throws -> [Duration] {
    // The agent signs in to the workbench and opens its stream.
    let agent = "agent0@bench.example"
    var signIn = HTTPClientRequest(url: "\(base)/workbench/api/sign-in")
    signIn.method = .POST
    signIn.headers.add(name: "Content-Type", value: "application/json")
    let sig = UserSig.generate(identifier: agent, sdkAppId: 1_400_000_000, secretKey: Payload.secret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
    signIn.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["agentId": agent, "userSig": sig])))
    let signedIn = try await client.execute(signIn, timeout: .seconds(10))
    guard let cookie = signedIn.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init) else { return [] }
    let heard = Heard()
    let stream = Task {
        var request = HTTPClientRequest(url: "\(base)/workbench/api/events")
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await client.execute(request, timeout: .seconds(600))
        var pending = ""
        for try await chunk in response.body {
            let now = ContinuousClock.now
            pending += String(buffer: chunk)
            while let end = pending.range(of: "\n\n") {
                let event = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                if let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                   let user = data.split(separator: "\"").dropFirst(3).first {
                    heard.value.withLock { $0[String(user)] = now }
                }
            }
        }
    }
    defer { stream.cancel() }

    // Each sampled visitor first asks for a person, so that the agent holds its session.
    let visitors = (0..<samples).map { WebPagesPayload.visitor(1_000_000 + $0) }
    for visitor in visitors {
        _ = try? await post(base, visitor, ["text": "hi"], client: client)
        _ = try? await post(base, visitor, ["liveAgent": true], client: client)
    }
    let users = visitors.map { ConversationKey(agent: "web/bench-web", conversationId: $0).clientUserId.rawValue }
    let held = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < held, heard.value.withLock({ heard in users.contains { heard[$0] == nil } }) { try await Task.sleep(for: .milliseconds(20)) }
    try await Task.sleep(for: .milliseconds(300))  // let the hand-offs' own changes pass

    var latencies: [Duration] = []
    for (visitor, user) in zip(visitors, users) {
        heard.value.withLock { $0[user] = nil }
        let start = ContinuousClock.now
        guard (try? await post(base, visitor, ["text": "is anyone there?"], client: client)) == true else { continue }
        let deadline = start + .seconds(5)
        while ContinuousClock.now < deadline {
            if let at = heard.value.withLock({ $0[user] }) { latencies.append(at - start); break }
            try await Task.sleep(for: .microseconds(200))
        }
    }
    return latencies
}

/// One idle chat page: a connection asking for the visitor's event stream; `heard` counts it
/// once the server's `hello` arrived. Answers the open channel.
private func openPage(port: Int, visitor: String, heard: Tally) async throws -> any Channel {
    try await openEventStream(port: port, path: "/web/im/api/events?webAppId=bench-web&visitorId=\(visitor)", reader: HelloWatcher(heard: heard))
}

/// An event stream on a bare connection (no client pool, so thousands open as fast as the server
/// takes them): `GET path` with `headers`, each chunk that arrives going to `reader`.
func openEventStream(port: Int, path: String, headers: String = "", reader: some ChannelInboundHandler & Sendable) async throws -> any Channel {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reader) } }
        .connect(host: "127.0.0.1", port: port).get()
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\(headers)\r\n"
    try await channel.writeAndFlush(ByteBuffer(string: request)).get()
    return channel
}

/// p50, p90 and p99 of `latencies` (nearest rank), as the benchmark prints them.
func percentiles(_ latencies: [Duration]) -> String {
    let sorted = latencies.sorted()
    func at(_ p: Double) -> String { millis(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
    return "p50 \(at(0.5)) ms  p90 \(at(0.9)) ms  p99 \(at(0.99)) ms"
}

/// Counts the page once the stream's first event arrives, then ignores what follows.
private final class HelloWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let heard: Tally
    private let seen = Atomic<Bool>(false)

    init(heard: Tally) { self.heard = heard }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !seen.load(ordering: .relaxed), String(buffer: unwrapInboundIn(data)).contains("event: hello") else { return }
        seen.store(true, ordering: .relaxed)
        heard.add()
    }
}

private func post(_ base: String, _ visitor: String, _ fields: [String: Any], client: HTTPClient) async throws -> Bool {
    var request = HTTPClientRequest(url: "\(base)/web/im/api/messages")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    var body = fields
    body["webAppId"] = "bench-web"
    body["visitorId"] = visitor
    body["messageId"] = UUID().uuidString
    request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    let response = try await client.execute(request, timeout: .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 16)
    return response.status.code == 200
}

private func ready(_ base: String, client: HTTPClient) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if let response = try? await client.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), response.status.code == 200 { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// `VmRSS` of a process, in KiB.
func residentKiB(_ pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// A port nothing listens on now (bound once to port 0, then released).
private func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

private enum WebPagesPayload {
    static func visitor(_ index: Int) -> String { String(format: "b0000000-0000-4000-8000-%012d", index) }

    /// One agent with room for every sampled visitor, and a website channel whose limits a benchmark does not hit.
    static func config(google: Int, port: Int, database: String) -> String {
        """
        server: { host: 127.0.0.1, port: \(port) }
        storage: { url: "sqlite:\(database)" }
        channel: { apiBaseURL: "http://127.0.0.1:\(google)", webhook: { clientToken: \(Payload.token) } }
        desk:
          secretKey: \(Payload.secret)
          satisfaction: { sendAfterEnd: false }
          skillGroups: [ { id: 1, name: Support, receptionLimit: 1000 } ]
          agents: [ { id: agent0@bench.example, nickname: A0, status: Available, skillGroups: [ { id: 1 } ] } ]
        webChannels:
          - { webAppId: bench-web, name: Bench, visitorRequestsPerMinute: 1000, addressRequestsPerMinute: 100000 }
        flows:
          main:
            start: welcome
            nodes:
              welcome: { type: message, text: "Hello ${UserName}!", next: human }
              human: { type: transfer, next: done }
              done: { type: end }
        """
    }
}

/// Shared between the page tasks and the measuring loop.
final class Tally: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// When the agent's stream last named each conversation.
private final class Heard: Sendable {
    let value = Mutex<[String: ContinuousClock.Instant]>([:])
}
