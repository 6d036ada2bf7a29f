import AsyncHTTPClient
import DeskBridgeConfig
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeServer
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Logging
import NIOCore
import Synchronization

/// One replay in progress: the instance, the stand-ins, the clock and how far the transcript got.
final class ReplaySession: Sendable {
    let script: ReplayScript
    let config: DeskBridgeConfig
    let google: StandInServer
    let business: StandInServer
    let answers: StandInAnswers
    let output: @Sendable (String) -> Void
    private let clock: Mutex<Date>
    /// The instance's store, read to know when timers due after an `advance` have fired.
    private let store = InMemoryDeskStore()
    private let progress = Mutex<(calls: Int, events: Int, seq: Int, base: String)>((0, 0, 0, ""))
    /// How long a step waits for DeskBridge to act, in real time.
    static let deadline: Duration = .seconds(10)

    init(script: ReplayScript, config: DeskBridgeConfig, google: StandInServer, business: StandInServer, answers: StandInAnswers,
         output: @escaping @Sendable (String) -> Void) throws {
        guard let start = GoogleTimestamp(rfc3339: script.start) else { throw ReplayRunner.Failure.unreadable("start is not an RFC 3339 time") }
        self.script = script
        self.config = config
        self.google = google
        self.business = business
        self.answers = answers
        self.output = output
        self.clock = Mutex(start.date)
    }

    var now: Date { clock.withLock { $0 } }
    var user: String { ClientUserID.derive(agent: Self.agent, conversationId: script.conversation).rawValue }
    static let agent = "brands/replay/agents/replay"

    func run(_ loaded: LoadedConfig) async throws -> Bool {
        var overrides = ApplicationOverrides()
        overrides.store = store
        overrides.clock = WallClock { self.now }
        overrides.pollInterval = .milliseconds(20)
        overrides.replicaId = "replay"
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        overrides.onListening = { _, port in portContinuation.yield(port) }
        var logger = Logger(label: "replay")
        logger.logLevel = .critical
        let app = try await buildApplication(loaded, logger: logger, overrides: overrides)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            progress.withLock { $0.base = "http://127.0.0.1:\(port)" }
            defer { group.cancelAll() }
            for (index, step) in script.steps.enumerated() {
                guard try await perform(step, index: index) else { return false }
            }
            output("✔ \(script.steps.count) steps as recorded")
            return true
        }
    }

    // MARK: - Steps

    private func perform(_ step: ReplayStep, index: Int) async throws -> Bool {
        switch step {
        case .user(let text):
            output("  → user: \(text)")
            return try await webhook(["message": .object(["messageId": .string("m-\(nextSeq())"), "text": .string(text)])], index: index)
        case .tap(let label):
            output("  → user taps: \(label)")
            guard let postback = await chip(label) else { return mismatch(index, "no chip \"\(label)\" was offered") }
            return try await webhook(["suggestionResponse": .object(["postbackData": .string(postback), "text": .string(label), "type": .string("REPLY")])], index: index)
        case .webhook(let payload):
            output("  → webhook: \(payload.keys.sorted().joined(separator: ", "))")
            return try await webhook(payload, index: index)
        case .desk(let action):
            return try await desk(action, index: index)
        case .advance(let seconds):
            output("  ⏱ +\(seconds) s")
            clock.withLock { $0 = $0.addingTimeInterval(seconds) }
            // The next step sees what the due timers did (they fire on the service's next poll).
            let deadline = ContinuousClock.now + Self.deadline
            while ContinuousClock.now < deadline, try await !store.conversationsWithDueTimers(now: now, limit: 1).isEmpty {
                try await ContinuousClock().sleep(for: .milliseconds(5))
            }
            return true
        case .answer(let assignment, let interface):
            answers.push(assignment: assignment, interface: interface)
            return true
        case .expect(let lines):
            return await compare(lines, index: index, what: "Google calls", take: distinctCalls, cursor: \.calls, prefix: "  ← ")
        case .events(let names):
            return await compare(names, index: index, what: "session events", take: distinctEvents, cursor: \.events, prefix: "  · event ")
        }
    }

    private func nextSeq() -> Int { progress.withLock { $0.seq += 1; return $0.seq } }
    private var base: String { progress.withLock { $0.base } }

    private func webhook(_ payload: [String: JSONValue], index: Int) async throws -> Bool {
        var envelope: [String: JSONValue] = [
            "agent": .string(Self.agent), "conversationId": .string(script.conversation), "requestId": .string("replay-\(nextSeq())"),
            "context": .object(["userInfo": .object(["displayName": .string(script.userName), "userDeviceLocale": .string("en-GB")])]),
        ]
        envelope.merge(payload) { _, new in new }
        let body = try JSONEncoder().encode(JSONValue.object(envelope))
        var headers = ["Content-Type": "application/json"]
        if let key = config.channel.webhook.clientToken ?? config.channel.webhook.partnerKey {
            headers["X-Goog-Signature"] = WebhookSignatureVerifier.sign(body: body, key: key.reveal)
        }
        let (status, _) = try await post("/webhooks/business-messages", body, headers)
        return status == 200 ? true : mismatch(index, "the webhook was answered \(status)")
    }

    private func desk(_ action: ReplayStep.DeskAction, index: Int) async throws -> Bool {
        let admin = config.desk.adminIdentifier
        var answers: [[String: Any]] = []
        func call(_ path: String, _ body: [String: Any], as who: String = action.as) async throws -> [String: Any] {
            let query = "sdkappid=\(config.desk.sdkAppId)&identifier=\(who.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? who)"
                + "&usersig=\(UserSig.generate(identifier: who, sdkAppId: config.desk.sdkAppId, secretKey: config.desk.secretKey.reveal, issuedAt: Int64(now.timeIntervalSince1970), expireSeconds: 3_600))"
                + "&random=\(nextSeq())&contenttype=json"
            let (_, data) = try await post("/\(path)?\(query)", try JSONSerialization.data(withJSONObject: body), ["Content-Type": "application/json"])
            let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            answers.append(answer)
            return answer
        }
        // The session id is looked up as the admin: the acting agent may be one that must be refused.
        let session = try await call("v4/desk_http_svc/get_session_state", ["ClientUserId": user], as: admin)["SessionId"] as? String ?? ""
        answers.removeAll()
        let who = action.as
        if let say = action.say {
            output("  → \(who): \(say)")
            _ = try await call("v4/openim/sendmsg", ["To_Account": user, "MsgRandom": nextSeq(), "MsgBody": [["MsgType": "TIMTextElem", "MsgContent": ["Text": say]]]])
        } else if action.end == true {
            output("  → \(who) ends the session")
            _ = try await call("v4/desk_http_svc/end_session", ["SessionId": session])
        } else if action.accept == true {
            output("  → \(who) accepts")
            _ = try await call("v4/desk_http_svc/accept_session", ["SessionId": session, "AgentId": who])
        } else if action.transferTo != nil || action.transferToGroup != nil {
            output("  → \(who) transfers to \(action.transferTo ?? "group \(action.transferToGroup!)")")
            var body: [String: Any] = ["SessionId": session]
            if let agent = action.transferTo { body["AgentId"] = agent }
            if let group = action.transferToGroup { body["AgentGroupId"] = group }
            _ = try await call("v4/desk_http_svc/transfer_session", body)
        } else if let status = action.status {
            output("  → \(who) is \(status)")
            _ = try await call("v4/desk_http_svc/set_agent_status", ["AgentId": who, "Status": status])
        }
        let code = answers.last?["ErrorCode"] as? Int ?? 0
        if code != (action.expectError ?? 0) {
            return mismatch(index, "expected ErrorCode \(action.expectError ?? 0), got \(code) (\(answers.last?["ErrorInfo"] as? String ?? ""))")
        }
        if code != 0 { output("  ✗ refused: \(code) \(answers.last?["ErrorInfo"] as? String ?? "")") }
        if let expected = action.expectState {
            let current = try await call("v4/desk_http_svc/get_session_state", ["ClientUserId": user], as: admin)
            for (key, value) in expected.sorted(by: { $0.key < $1.key }) where "\(current[key] ?? "")" != value {
                return mismatch(index, "get_session_state \(key): expected \(value), got \(current[key] ?? "nothing")")
            }
            output("  · state \(expected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))")
        }
        return true
    }

    // MARK: - Comparing

    /// Google calls, one per id (a retry repeats an id), as transcript lines.
    private func distinctCalls() -> [String] {
        var seen: Set<String> = []
        return google.requests.filter { request in
            let id = (request.json?["messageId"] as? String) ?? request.queryValue("eventId") ?? UUID().uuidString
            return seen.insert(id).inserted
        }.map { Transcript.line($0.json ?? [:]) }
    }

    private func distinctEvents() -> [String] {
        var seen: Set<String> = []
        return business.requests.filter { $0.path == "/events" && seen.insert($0.queryValue("RequestID") ?? "").inserted }
            .compactMap { $0.json?["Event"] as? String }
    }

    private func compare(_ expected: [String], index: Int, what: String, take: @Sendable () -> [String],
                         cursor: WritableKeyPath<(calls: Int, events: Int, seq: Int, base: String), Int>, prefix: String) async -> Bool {
        let start = progress.withLock { $0[keyPath: cursor] }
        let deadline = ContinuousClock.now + Self.deadline
        var actual = Array(take().dropFirst(start))
        while actual.count < expected.count, ContinuousClock.now < deadline {
            try? await ContinuousClock().sleep(for: .milliseconds(10))
            actual = Array(take().dropFirst(start))
        }
        let got = Array(actual.prefix(expected.count))
        for line in got { output(prefix + line) }
        progress.withLock { $0[keyPath: cursor] = start + got.count }
        guard got == expected else {
            var diff = ["step \(index + 1): the \(what) differ from the recording"]
            for i in 0..<max(expected.count, got.count) {
                let e = i < expected.count ? expected[i] : "(nothing)"
                let a = i < got.count ? got[i] : "(nothing within \(Self.deadline))"
                diff.append(e == a ? "    \(e)" : "  - \(e)\n  + \(a)")
            }
            output(diff.joined(separator: "\n"))
            return false
        }
        return true
    }

    /// The postback of the newest chip with this label.
    private func chip(_ label: String) async -> String? {
        let deadline = ContinuousClock.now + Self.deadline
        while ContinuousClock.now < deadline {
            for request in google.requests.reversed() {
                for chip in request.json?["suggestions"] as? [[String: Any]] ?? [] {
                    if let reply = chip["reply"] as? [String: Any], reply["text"] as? String == label { return reply["postbackData"] as? String }
                }
            }
            try? await ContinuousClock().sleep(for: .milliseconds(10))
        }
        return nil
    }

    private func mismatch(_ index: Int, _ why: String) -> Bool {
        output("✘ step \(index + 1): \(why)")
        return false
    }

    private func post(_ path: String, _ body: Data, _ headers: [String: String]) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 4 * 1_024 * 1_024)
        return (Int(response.status.code), Data(data.readableBytesView))
    }
}
