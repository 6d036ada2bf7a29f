import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgePostgres
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// Two `deskbridge serve` processes on one PostgreSQL database behind nginx (the shipped
/// location block), as the README's "Deploying" section sets them up.
@Suite("Two replicas on PostgreSQL behind nginx", .serialized, .enabled(if: TestPostgres.isAvailable && NginxProcess.isAvailable))
struct ReplicasBehindNginxTests {
    /// Where the sender says the user is; nginx appends the real peer, DeskBridge trusts nginx.
    static let userAddress = "203.0.113.7"

    /// 40 conversations, half asking for opening hours and half for a person (two agents with
    /// room for three each), sent through nginx to both replicas. Replica 1 is killed with
    /// `kill -9` while the second messages are in flight and restarted; the sender re-sends
    /// whatever got no 200, as Google does. Afterwards every conversation has exactly its calls,
    /// in order, each under one id, and no agent holds more than its limit.
    @Test func aBurstOverTwoReplicasSurvivesKill9OfOne() async throws {
        try await ReplicaSet.with { cluster throws in
                let (google, business, database) = (cluster.google, cluster.business, cluster.database)
                let nginx = cluster.nginx
                let conversations = (0..<40).map { "rep-\($0)" }
                func second(_ id: String) -> String { Int(id.dropFirst(4))!.isMultiple(of: 2) ? "Opening hours" : "Talk to a person" }
                let base = nginx.baseURL
                let send: @Sendable (Data) async -> Bool = { body in
                    let answer = try? await HTTP.post(base + "/webhooks/business-messages", body: body,
                                                      headers: ["X-Goog-Signature": Wire.signature(body), "X-Forwarded-For": Self.userAddress])
                    return answer?.status == 200
                }
                let firsts = conversations.map { Wire.text("hi", conversation: $0, requestId: "\($0)-1") }
                let seconds = conversations.map { Wire.text(second($0), conversation: $0, requestId: "\($0)-2") }

                let firstAcks = await withTaskGroup(of: Bool.self) { group in
                    for body in firsts { group.addTask { await send(body) } }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(firstAcks == 40)
                // Each conversation's first reply is out before its second message is sent.
                #expect(await google.waitForCalls(80, timeout: .seconds(30)))

                // The second messages go out concurrently; replica 1 dies while they are in flight.
                let acknowledged = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                    for (index, body) in seconds.enumerated() { group.addTask { (index, await send(body)) } }
                    try await ContinuousClock().sleep(for: .milliseconds(30))
                    cluster.replicas[0].kill9()
                    return try await group.reduce(into: Set<Int>()) { if $1.1 { $0.insert($1.0) } }
                }
                try await cluster.restart(0)
                for (index, body) in seconds.enumerated() where !acknowledged.contains(index) || index % 10 == 3 {
                    #expect(await send(body), "re-sent after the crash (and some repeats)")
                }

                // Done when both replicas' outboxes are empty and every conversation has its calls.
                let replicaURLs = cluster.replicas.map(\.baseURL)
                let drained = try await eventually(timeout: .seconds(60)) {
                    for url in replicaURLs {
                        let metrics = try await HTTP.get(url + "/metrics").text
                        if metrics.range(of: #"deskbridge_outbox_pending 0(\.0)?\n"#, options: .regularExpression) == nil { return false }
                    }
                    return Set(google.calls.map(\.callId)).count >= 20 * 3 + 6 * 5 + 14 * 4
                }
                #expect(drained)

                var joined: [String: Int] = [:]
                for id in conversations {
                    let calls = google.calls.filter { $0.conversation == id }
                    let lines = calls.map(\.line)
                    #expect(Set(google.requests.filter { $0.conversation == id }.map(\.callId)).count == calls.count,
                            "\(id): a re-sent call reuses its id")
                    if second(id) == "Opening hours" {
                        #expect(lines == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: We are open 9 to 18."], "\(id)")
                    } else if let agent = lines.first(where: { $0.hasPrefix("JOINED ") })?.dropFirst(7) {
                        joined[String(agent), default: 0] += 1
                        #expect(lines == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: Connecting…", "JOINED \(agent)",
                                          "BOT: You are chatting with \(agent)."], "\(id)")
                    } else {
                        #expect(lines.count == 4 && lines.prefix(3) == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: Connecting…"]
                                && lines[3].hasPrefix("BOT: You are number "), "\(id): \(lines)")
                    }
                }
                #expect(joined == ["Lena": 3, "Omar": 3], "each agent took exactly its limit; the rest queue")

                // The database agrees: loads at the limit, 6 with agents, 14 queued.
                let store = try await PostgresDeskStore.open(database, logger: Logger(label: "test.check"))
                defer { store.shutdown() }
                #expect(try await store.routingSnapshot().agents.map(\.load) == [3, 3])
                #expect(try await store.sessionCounts() == ["Agent": 6, "Queueing": 14])

                // Queue positions are 1…14 in the order the transfers arrived, none twice.
                let positions = google.calls.compactMap { call in
                    call.line.hasPrefix("BOT: You are number ") ? Int(call.line.dropFirst(20).dropLast()) : nil
                }
                #expect(positions.sorted() == Array(1...14))

                // ClientIP in callbacks is the user's address from X-Forwarded-For, not nginx's.
                let clientIPs = Set(business.requests.compactMap { $0.queryValue("ClientIP") })
                #expect(clientIPs == [Self.userAddress])
        }
    }

    /// Both replicas poll the same due timers; each idle session still closes exactly once.
    @Test func anIdleTimeoutFiresOnceAcrossReplicas() async throws {
        try await ReplicaSet.with(userTimeoutSeconds: 2) { cluster throws in
            let conversations = (0..<6).map { "idle-\($0)" }
            for id in conversations {
                // Alternating replicas through nginx; the session is with the bot, waiting at the menu.
                let body = Wire.text("hi", conversation: id)
                #expect(try await HTTP.webhook(cluster.nginx.baseURL, body).status == 200)
            }
            let google = cluster.google, business = cluster.business
            let closed: @Sendable () -> Int = { google.calls.filter { $0.line == "BOT: Closed for inactivity." }.count }
            let timeouts: @Sendable () -> Int = { business.calls.filter { $0.json?["Event"] as? String == "SessionTimeout" }.count }
            // The Google message and the business callback travel in separate lanes, so either may land first.
            #expect(try await eventually(timeout: .seconds(30)) { closed() >= conversations.count && timeouts() >= conversations.count })
            // No timer is left in the database that could fire a second time.
            let store = try await PostgresDeskStore.open(cluster.database, logger: Logger(label: "test.check"))
            defer { store.shutdown() }
            #expect(try await store.conversationsWithDueTimers(now: .distantFuture, limit: 100).isEmpty)
            for id in conversations {
                #expect(google.calls.filter { $0.conversation == id }.map(\.line) == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: Closed for inactivity."], "\(id)")
            }
            #expect(timeouts() == conversations.count)
        }
    }

    /// `deploy/nginx.conf` as shipped (TLS and all) passes `nginx -t`, given a certificate.
    /// Lena signs in to the workbench on replica 2 and opens it on replica 1 (the sign-in is in
    /// the database); the user's messages are accepted and processed by replica 2, and her page on
    /// replica 1 shows them through the replicas' change notes. The administrator forces her
    /// offline on replica 2: her page on replica 1 signs out, and neither replica lets her back in.
    @Test(.enabled(if: WebDriver.isAvailable))
    func aWorkbenchPageOnOneReplicaFollowsWhatTheOtherDoes() async throws {
        try await ReplicaSet.with(omarStatus: "Offline") { cluster throws in
            let (one, two) = (cluster.replicas[0].baseURL, cluster.replicas[1].baseURL)
            let driver = try await WebDriver()
            defer { driver.stop() }
            let page = try await driver.session()
            let lena = "lena@acme.example"
            func userSig(_ who: String) -> String {
                UserSig.generate(identifier: who, sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
            }
            @Sendable func live() async throws -> Bool { try await page.run("return document.getElementById('connection').dataset.state") as? String == "live" }

            try await page.go(two + "/workbench")
            try await page.type("[data-test=agent-id]", lena)
            try await page.type("[data-test=user-sig]", userSig(lena))
            try await page.click("[data-test=sign-in-button]")
            #expect(try await eventually(timeout: .seconds(15)) { try await live() }, "signed in on replica 2")
            // The same browser (cookies are per host, not per port) opens the workbench on replica 1.
            try await page.go(one + "/workbench")
            #expect(try await eventually(timeout: .seconds(15)) { try await live() }, "replica 1 knows the sign-in replica 2 made")

            let conversation = "conv-two-replicas"
            for (index, text) in ["hi", "human"].enumerated() {
                #expect(try await HTTP.webhook(two, Wire.text(text, conversation: conversation, requestId: "r2-\(index)")).status == 200)
            }
            #expect(try await eventually(timeout: .seconds(15)) { try await page.count("[data-test=session]") == 1 }, "the session replica 2 assigned shows on replica 1")
            try await page.click("[data-test=session] button")
            #expect(try await HTTP.webhook(two, Wire.text("Where is order 1042?", conversation: conversation, requestId: "r2-2")).status == 200)
            #expect(try await eventually(timeout: .seconds(15)) { try await page.texts("[data-test=message-text]").contains("Where is order 1042?") },
                    "a message replica 2 processed reaches the page on replica 1")

            // Forced offline on replica 2 ends the page on replica 1.
            let signIn = try await HTTP.post(two + "/console/api/sign-in", body: Wire.json(["userSig": userSig("administrator")]),
                                             headers: ["Content-Type": "application/json"])
            let cookie = try #require(signIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            let overview = try await HTTP.get(two + "/console/api/overview", headers: ["Cookie": cookie])
            let csrf = try #require(overview.json?["csrfToken"] as? String)
            let forced = try await HTTP.post(two + "/console/api/agent-status", body: Wire.json(["agentId": lena, "status": "Offline", "force": "1"]),
                                             headers: ["Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(forced.status == 200)
            #expect(try await eventually(timeout: .seconds(5)) { (try await page.texts("[data-test=sign-in-error]").first ?? "") == "You were signed out." },
                    "the page on replica 1 signs out")
            for base in [one, two] {
                let again = try await HTTP.post(base + "/workbench/api/sign-in", body: Wire.json(["agentId": lena, "userSig": userSig(lena)]),
                                                headers: ["Content-Type": "application/json"])
                #expect(again.status == 403, "refused on \(base) until resumed")
            }
        }
    }

    @Test func theShippedNginxConfigIsValid() throws {
        let directory = TestConfig.temporaryDirectory()
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=desk.example.com"])
        let root = ServiceProcess.packageRoot.appendingPathComponent("deploy")
        let site = try String(contentsOf: root.appendingPathComponent("nginx.conf"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/ssl/certs/desk.example.com.pem", with: cert)
            .replacingOccurrences(of: "/etc/ssl/private/desk.example.com.key", with: key)
            .replacingOccurrences(of: "/etc/nginx/snippets/deskbridge-locations.conf", with: root.appendingPathComponent("nginx/deskbridge-locations.conf").path)
        #expect(site.contains(cert) && site.contains(key), "the README's install paths are the ones in the file")
        try site.write(to: directory.appendingPathComponent("site.conf"), atomically: true, encoding: .utf8)
        let main = "pid \(directory.path)/nginx.pid; error_log \(directory.path)/error.log; events {} http { include \(directory.path)/site.conf; }"
        try main.write(to: directory.appendingPathComponent("main.conf"), atomically: true, encoding: .utf8)
        #expect(try run(NginxProcess.executable!, ["-t", "-q", "-p", directory.path, "-c", directory.appendingPathComponent("main.conf").path]) == 0)
    }

    @discardableResult
    private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Two replicas of one configuration on a fresh PostgreSQL database behind nginx, with stand-ins.
struct ReplicaSet {
    let google: StandInServer
    let business: StandInServer
    let database: PostgresSettings
    let nginx: NginxProcess
    private let configs: [String]
    private(set) var replicas: [ServiceProcess]

    static func with(userTimeoutSeconds: Int = 900, omarStatus: String = "Available", _ body: @Sendable (inout ReplicaSet) async throws -> Void) async throws {
        try await StandInServer.with { google in
            try await StandInServer.with { business in
                let database = try await TestPostgres.freshDatabase(pool: 6)
                let directory = TestConfig.temporaryDirectory()
                let ports = [try FreePort.pick(), try FreePort.pick()]
                var configs: [String] = []
                for (index, port) in ports.enumerated() {
                    let path = directory.appendingPathComponent("replica-\(index + 1).yaml").path
                    try TestConfig.yaml(googleURL: google.baseURL, eventsURL: business.baseURL + "/events", database: "", port: port,
                                        omarStatus: omarStatus, userTimeoutSeconds: userTimeoutSeconds, storageURL: TestPostgres.url(database),
                                        trustedProxies: ["127.0.0.1"])
                        .write(toFile: path, atomically: true, encoding: .utf8)
                    configs.append(path)
                }
                let replicas = [try await start(configs, 0), try await start(configs, 1)]
                let nginx = try await NginxProcess(upstreams: ports)
                var cluster = ReplicaSet(google: google, business: business, database: database, nginx: nginx, configs: configs, replicas: replicas)
                defer {
                    nginx.stop()
                    for replica in cluster.replicas { replica.terminate() }
                }
                try await body(&cluster)
            }
        }
    }

    /// Starts replica `index` again (after a kill), on its port and under its replica id.
    mutating func restart(_ index: Int) async throws {
        replicas[index].terminate()
        replicas[index] = try await Self.start(configs, index)
    }

    private static func start(_ configs: [String], _ index: Int) async throws -> ServiceProcess {
        try await ServiceProcess(configPath: configs[index], environment: ["DESKBRIDGE_REPLICA_ID": "replica-\(index + 1)"])
    }
}
