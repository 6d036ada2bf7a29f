import AsyncHTTPClient
import DeskBridgeCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Agents' workbench streams: `agents` agents signed in, each with its live stream open, held by
/// a `deskbridge serve` child process whose resident memory is read before and after they open;
/// then, one user at a time, the time from a Google webhook answered 200 to the change arriving
/// on the stream of the agent holding that user's session (issue "The agent workbench").
func runAgentStreams(agents: Int, samples: Int, work: URL) async throws {
    try await withGoogleStandIn(ArrivalLog()) { google in
        try await withServerProcess("agent streams", work: work, config: { port in
            // Every agent available in one group, taking a few sessions each.
            Payload.config(google: google, storageURL: "sqlite:" + work.appendingPathComponent("agent-streams.sqlite").path, agents: agents, port: port,
                           receptionLimit: 5)
        }) { base, port, server, pool in
            try await measureAgentStreams(base, port: port, server: server, agents: agents, samples: samples, pool: pool)
        }
    }
}

private func measureAgentStreams(_ base: String, port: Int, server: Process, agents: Int, samples: Int, pool: HTTPClient) async throws {
    // Sign-ins first (each a row in the store), so the memory read after them is the streams' own.
    let cookies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
        var cookies = [String?](repeating: nil, count: agents)
        for index in 0..<agents {
            if index >= 16, let (done, cookie) = try await group.next() { cookies[done] = cookie }
            group.addTask { (index, try await signIn(base, "agent\(index)@bench.example", client: pool)) }
        }
        for try await (done, cookie) in group { cookies[done] = cookie }
        return cookies.compactMap { $0 }
    }
    guard cookies.count == agents else {
        print("agent streams failed: \(agents - cookies.count) of \(agents) sign-ins were refused")
        return
    }

    let heard = StreamLog()
    let before = residentKiB(server.processIdentifier)
    var channels: [any Channel] = []
    for (index, cookie) in cookies.enumerated() {
        channels.append(try await openStream(port: port, cookie: cookie, agent: index, log: heard))
    }
    let deadline = ContinuousClock.now + .seconds(60)
    while heard.opened < channels.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    let opened = heard.opened
    let after = residentKiB(server.processIdentifier)
    print(String(format: "%-11@ %d agents' workbench streams open: server RSS %.0f → %.0f MiB, %.1f KiB a stream", "streams" as NSString,
                 opened, Double(before) / 1_024, Double(after) / 1_024, opened > 0 ? Double(after - before) / Double(opened) : 0))
    defer { for channel in channels { channel.close(promise: nil) } }

    // Each sampled user asks for a person; routing spreads them over the agents. Once every one
    // is held (the desk API names its agent), each writes again, one at a time, and is timed from
    // the webhook's 200 to the holder's stream naming it.
    let users = (0..<samples).map { "as-\($0)" }
    var webhook = 0
    func send(_ conversation: String, _ text: String) async throws -> ContinuousClock.Instant? {
        webhook += 1
        let response = try await pool.execute(Payload.request(port, Payload.webhook(conversation, webhook, text: text)), timeout: .seconds(10))
        let answered = ContinuousClock.now
        _ = try await response.body.collect(upTo: 1 << 16)
        return response.status.code == 200 ? answered : nil
    }
    for user in users {
        _ = try await send(user, "hi")
        _ = try await send(user, "Talk to a person")
    }
    let clientUsers = users.map { ConversationKey(agent: "brands/bench/agents/bench", conversationId: $0).clientUserId.rawValue }
    var holders: [String: Int] = [:]
    let held = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < held, holders.count < clientUsers.count {
        for user in clientUsers where holders[user] == nil { holders[user] = try await holder(of: user, port: port, client: pool) }
        try await Task.sleep(for: .milliseconds(20))
    }
    try await Task.sleep(for: .milliseconds(300))  // let the hand-offs' own changes pass

    var latencies: [Duration] = []
    for (user, clientUser) in zip(users, clientUsers) {
        guard let holder = holders[clientUser] else { continue }
        heard.forget(clientUser)
        guard let answered = try await send(user, "is anyone there?") else { continue }
        let limit = answered + .seconds(5)
        while ContinuousClock.now < limit {
            if let at = heard.heard(clientUser, by: holder) { latencies.append(at - answered); break }
            try await Task.sleep(for: .microseconds(200))
        }
    }
    guard !latencies.isEmpty else {
        print("agent send  failed: no user message reached its holder's stream")
        return
    }
    print(String(format: "%-11@ webhook 200 → holder's stream  %@  (%d users, one at a time, with %d streams open)",
                 "agent send" as NSString, percentiles(latencies) as NSString, latencies.count, opened))
}

/// The index of the agent holding the user's session, from `get_session_state`.
private func holder(of user: String, port: Int, client: HTTPClient) async throws -> Int? {
    let response = try await client.execute(Payload.desk(port, "v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": user]),
                                            timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 16)
    guard let answer = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any], answer["CurrentState"] as? String == "Agent",
          let agent = answer["AgentId"] as? String, agent.hasPrefix("agent") else { return nil }
    return Int(agent.dropFirst(5).prefix { $0.isNumber })
}

private func signIn(_ base: String, _ agent: String, client: HTTPClient) async throws -> String? {
    var request = HTTPClientRequest(url: "\(base)/workbench/api/sign-in")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    let sig = UserSig.generate(identifier: agent, sdkAppId: 1_400_000_000, secretKey: Payload.secret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
    request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["agentId": agent, "userSig": sig])))
    let response = try await client.execute(request, timeout: .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 16)
    return response.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init)
}

/// One agent's stream on a bare connection; its handler logs `hello` and the users each change names.
private func openStream(port: Int, cookie: String, agent: Int, log: StreamLog) async throws -> any Channel {
    try await openEventStream(port: port, path: "/workbench/api/events", headers: "Cookie: \(cookie)\r\n", reader: StreamReader(agent: agent, log: log))
}

/// Reads one stream's events as they arrive (`data: {"clientUserId":"…"}`), noting when each came.
private final class StreamReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let agent: Int
    let log: StreamLog
    private var pending = ""  // touched on the channel's event loop only

    init(agent: Int, log: StreamLog) {
        self.agent = agent
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = ContinuousClock.now
        pending += String(buffer: unwrapInboundIn(data))
        while let end = pending.range(of: "\n\n") {
            let event = pending[..<end.lowerBound]
            pending = String(pending[end.upperBound...])
            if event.contains("event: hello") { log.open() }
            if let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }), let user = data.split(separator: "\"").dropFirst(3).first {
                log.heard(String(user), by: agent, at: now)
            }
        }
    }
}

/// What the streams heard: how many opened, and when each agent's stream last named each user.
private final class StreamLog: Sendable {
    private let opens = Atomic<Int>(0)
    private let last = Mutex<[String: [Int: ContinuousClock.Instant]]>([:])

    func open() { opens.add(1, ordering: .relaxed) }
    var opened: Int { opens.load(ordering: .relaxed) }
    func heard(_ user: String, by agent: Int, at instant: ContinuousClock.Instant) { last.withLock { $0[user, default: [:]][agent] = instant } }
    func heard(_ user: String, by agent: Int) -> ContinuousClock.Instant? { last.withLock { $0[user]?[agent] } }
    func forget(_ user: String) { last.withLock { $0[user] = nil } }
}
