import DeskBridgeConfig
import DeskBridgeCore
import Foundation
import Testing

@Suite("Configuration: strict keys, secrets from the environment, every flow checked")
struct ConfigLoaderTests {
    static let minimalFlow = """
        flows:
          main:
            start: hello
            nodes:
              hello: { type: message, text: "Hi", next: bye }
              bye: { type: end }
        """

    func problems(_ yaml: String, env: [String: String] = [:]) -> [String] {
        switch ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/etc/deskbridge"), environment: env) {
        case .success: []
        case .failure(let errors): errors.problems.map(\.description)
        }
    }

    @Test func webChannelsAreCheckedAndPickTheirFlow() throws {
        let bad = """
            desk: { secretKey: s }
            webChannels:
              - { webAppId: shop, flow: nowhere }
              - { webAppId: shop }
              - { webAppId: "a b", avatarImage: "http://x/a.png", allowedOrigins: ["shop.example"] }

            """ + Self.minimalFlow
        #expect(problems(bad) == [
            "webChannels[0].flow: unknown flow \"nowhere\"",
            "webChannels[1].webAppId: \"shop\" is used twice",
            "webChannels[2].webAppId: must be 1 to 64 letters, digits, - or _",
            "webChannels[2].avatarImage: must be an https: URL",
            "webChannels[2].allowedOrigins[0]: must be an origin such as https://shop.example",
        ])
        let good = "desk: { secretKey: s }\nwebChannels: [ { webAppId: shop, flow: main, allowedOrigins: [\"https://shop.example\"] } ]\n" + Self.minimalFlow
        let config = try ConfigLoader.parse(yaml: good, directory: URL(fileURLWithPath: "/etc/deskbridge"), environment: [:]).get().config
        #expect(config.webChannel("shop")?.title == "shop", "title and name default to the webAppId")
        #expect(config.flowName(forAgent: "web/shop") == "main")
        #expect(ConversationKey(agent: "web/shop", conversationId: "v").channelType == "WEB")
        #expect(ConversationKey(agent: "brands/1/agents/2", conversationId: "v").channelType == "GBM")
    }

    @Test func noDescriptionOfTheConfigurationShowsASecret() throws {
        let yaml = """
            storage: { url: "postgres://desk:pg-pass-1@db.internal:5432/desk" }
            channel: { auth: { bearerToken: bearer-1 }, webhook: { clientToken: client-1, partnerKey: partner-1 } }
            desk: { secretKey: desk-1, callbackToken: callback-1 }

            """ + Self.minimalFlow
        let config = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/etc/deskbridge"), environment: [:]).get().config
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped] {
            for secret in ["pg-pass-1", "bearer-1", "client-1", "partner-1", "desk-1", "callback-1"] {
                #expect(!text.contains(secret), "\(secret) is printed")
            }
            #expect(text.contains("<redacted>"))
        }
        #expect(config.desk.secretKey.reveal == "desk-1", "the value itself is still there for signing")
    }

    @Test func defaultsFillEverythingButTheSecretAndTheFlows() throws {
        let loaded = try ConfigLoader.parse(yaml: "desk: { secretKey: s }\n" + Self.minimalFlow, directory: URL(fileURLWithPath: "/etc/deskbridge"), environment: [:]).get()
        let config = loaded.config
        #expect(config.server.port == 8080)
        #expect(config.server.maxBodyBytes == 262_144)
        #expect(config.channel.apiBaseURL == "https://businessmessages.googleapis.com")
        #expect(config.channel.retry.initialBackoffMs == 500)
        #expect(config.desk.reception.acceptTimeoutSeconds == 60)
        #expect(config.desk.assignment.strategy == .automatic)
        #expect(config.flows.resolvedDefault == "main")
        #expect(loaded.sqlitePath == "/etc/deskbridge/data/deskbridge.sqlite", "relative to the config file's folder")
    }

    @Test func missingSecretAndFlowsAreProblems() {
        #expect(problems("server: { port: 9 }") == ["desk: required key is missing"])
        #expect(problems("desk: { secretKey: s }") == ["flows: required key is missing"])
    }

    @Test func unknownKeysAreReportedWithTheirPathsAllAtOnce() {
        let yaml = """
            server: { colour: blue }
            channel: { retry: { retries: 3 } }
            desk: { secretKey: s, agents: [ { id: a, nickname: A, mood: happy } ] }
            """ + "\n" + Self.minimalFlow.replacingOccurrences(of: "hello: { type: message,", with: "hello: { type: message, wait: 1,")
        #expect(problems(yaml) == [
            "server.colour: unknown key",
            "channel.retry.retries: unknown key",
            "desk.agents[0].mood: unknown key",
            "flows.main.nodes.hello.wait: unknown key",
        ])
    }

    @Test func environmentSubstitution() throws {
        let yaml = "channel: { webhook: { clientToken: \"${env:TOKEN}\" } }\ndesk: { secretKey: \"k-${env:SECRET}\" }\n" + Self.minimalFlow
        #expect(problems(yaml, env: ["TOKEN": "t"]) == ["desk.secretKey: environment variable SECRET is not set"])
        let config = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/"), environment: ["TOKEN": "t", "SECRET": "x"]).get().config
        #expect(config.channel.webhook.clientToken == "t")
        #expect(config.desk.secretKey == "k-x")
    }

    @Test func environmentDefaultsFillUnsetVariables() throws {
        let yaml = """
            server:
              port: ${env:DESKBRIDGE_PORT:-8080}
              host: "${env:HOST:-127.0.0.1}"
            storage: { url: "${env:DESKBRIDGE_STORAGE_URL:-sqlite:data/x.sqlite}" }
            desk: { secretKey: s }
            """ + "\n" + Self.minimalFlow
        let defaults = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/srv"), environment: ["HOST": ""]).get()
        #expect(defaults.config.server.port == 8080)
        #expect(defaults.config.server.host == "127.0.0.1", "an empty variable takes the default, as in the shell")
        #expect(defaults.sqlitePath == "/srv/data/x.sqlite")
        let set = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/srv"),
                                         environment: ["DESKBRIDGE_PORT": "8082", "DESKBRIDGE_STORAGE_URL": "postgres://db:pw@10.0.0.9/desk?sslmode=require&pool=6"]).get()
        #expect(set.config.server.port == 8082)
        #expect(set.sqlitePath == nil)
        #expect(set.postgres == PostgresSettings(host: "10.0.0.9", username: "db", password: "pw", database: "desk", tls: .require, maxConnections: 6))
    }

    @Test func postgresURLsAreCheckedWithoutEchoingThePassword() {
        for (url, message) in [
            ("postgres://u:secret-pw@h/", "names no database (…/DATABASE)"),
            ("postgres://:secret-pw@h/db", "names no user"),
            ("postgres://u:secret-pw@h/db?sslmode=maybe", "sslmode must be disable, prefer or require"),
            ("postgres://u:secret-pw@h/db?pool=0", "pool must be between 1 and 500"),
            ("postgres://u:secret-pw@h/db?timeout=3", "unknown parameter timeout (known: sslmode, pool)"),
            ("postgres://u:secret-pw@h:54x2/db", "port is not a number"),
        ] {
            let found = problems("storage: { url: \"\(url)\" }\ndesk: { secretKey: s }\n" + Self.minimalFlow)
            #expect(found == ["storage.url: PostgreSQL URL \(message)"])
            #expect(!found.joined().contains("secret-pw"))
        }
        #expect(PostgresSettings(host: "h", username: "u", password: "secret-pw", database: "d").description == "postgres://u@h:5432/d?sslmode=prefer&pool=10")
    }

    @Test func aPasswordHashThatIsNotOneIsNamedWithoutEchoingIt() {
        let yaml = "desk: { secretKey: s, adminPasswordHash: \"hunter2\", agents: [ { id: a, passwordHash: \"scrypt$99$8$1$AAAA$BBBB\" } ] }\n" + Self.minimalFlow
        let found = problems(yaml)
        #expect(found == [
            "desk.adminPasswordHash: is not a password hash made by `deskbridge hash-password`",
            "desk.agents[0].passwordHash: is not a password hash made by `deskbridge hash-password`",
        ])
        #expect(!found.joined().contains("hunter2") && !found.joined().contains("BBBB"))
    }

    @Test func trustedProxiesMustBeAddressesOrRanges() {
        #expect(problems("server: { trustedProxies: [127.0.0.1, \"172.16.0.0/12\", \"::1\", \"fd00::/8\"] }\ndesk: { secretKey: s }\n" + Self.minimalFlow) == [])
        #expect(problems("server: { trustedProxies: [nginx, \"10.0.0.0/33\"] }\ndesk: { secretKey: s }\n" + Self.minimalFlow) == [
            "server.trustedProxies: nginx is not an IP address or CIDR range (e.g. 10.0.0.5, 172.16.0.0/12, fd00::/8)",
        ])
    }

    @Test func wrongTypesNameTheKey() {
        #expect(problems("server: { port: eighty }\ndesk: { secretKey: s }\n" + Self.minimalFlow) == ["server.port: expected an integer"])
    }

    @Test func unknownVariablesAndBadSchedulesAreProblems() {
        let yaml = """
            desk:
              secretKey: s
              prompts: { connected: "Hi, I am ${StaffNickname}." }
              workingHours: { mode: custom, timezone: Mars/Olympus }
            flows:
              main:
                start: ask
                nodes:
                  ask: { type: collect, header: "Order for ${UserName}?", variable: orderNo, next: hours }
                  hours: { type: serviceTime, inHours: say, outOfHours: say, schedule: { mode: standard, hours: ["18:00-18:00"], weekdays: [monday] } }
                  say: { type: message, text: "Order ${orderNo} is ${Status}; see ${ClientAppName}.", next: done }
                  done: { type: end }
            """
        #expect(Set(problems(yaml)) == [
            "desk.prompts.connected: unknown variable ${StaffNickname}",
            "desk.workingHours.timezone: unknown time zone \"Mars/Olympus\"",
            "desk.workingHours.days: custom mode needs at least one day",
            "flows.main.nodes.hours.schedule.hours[0]: expected HH:MM-HH:MM with two different times",
            "flows.main.nodes.hours.schedule.weekdays[0]: unknown day; use mon … sun",
            "flows.main.nodes.say.text: unknown variable ${Status}; the system variables and this flow's collect and interfaceCall variables are known",
        ])
    }

    /// A type error does not hide the other problems: one run lists them all.
    @Test func aTypeErrorDoesNotHideTheOtherProblems() {
        let yaml = """
            server: { port: eighty, maxBodyBytes: 10 }
            storage: { retention: { webhookDays: -1, recordDays: soon } }
            desk: { secretKey: s, sdkAppId: nope, colour: blue }

            """ + Self.minimalFlow
        #expect(Set(problems(yaml)) == [
            "server.port: expected an integer",
            "storage.retention.recordDays: expected an integer",
            "desk.sdkAppId: expected an integer",
            "desk.colour: unknown key",
            "server.maxBodyBytes: must be at least 1024",
            "storage.retention.webhookDays: must be between 0 (keep forever) and 36500 days",
        ])
    }

    @Test func flowProblemsNameTheirKeyPaths() {
        let yaml = """
            desk: { secretKey: s }
            flows:
              main:
                start: welcome
                nodes:
                  welcome: { type: message, next: menu }
                  menu: { type: branch, items: [ { content: A, next: done }, { content: B, next: hmn } ] }
                  spin: { type: message, text: x, next: spin2 }
                  spin2: { type: message, text: y, next: spin }
                  ask: { type: collect, next: done }
                  check: { type: condition, branches: [ { when: 'Status == "shipped" &&', next: done } ], default: done }
                  done: { type: end }
            """
        #expect(problems(yaml) == [
            "flows.main.nodes.ask.header: required for a collect node",
            "flows.main.nodes.ask.variable: required for a collect node",
            "flows.main.nodes.check.branches[0].when: condition ends too early",
            "flows.main.nodes.menu.items[1].next: unknown node \"hmn\"",
            "flows.main.nodes.welcome.text: required for a message node",
            "flows.main.nodes.ask: unreachable from start \"welcome\"",
            "flows.main.nodes.check: unreachable from start \"welcome\"",
            "flows.main.nodes.spin: unreachable from start \"welcome\"",
            "flows.main.nodes.spin2: unreachable from start \"welcome\"",
            "flows.main.nodes.spin: part of a loop that never waits for the user",
        ])
    }

    @Test func aDuplicateKeyIsNamedByItsKeyPath() {
        #expect(problems("desk:\n  secretKey: a\n  secretKey: b\n" + Self.minimalFlow) == ["desk.secretKey: the key appears more than once (first at line 2)"])
        let nested = "desk: { secretKey: s }\n" + Self.minimalFlow.replacingOccurrences(of: "      bye: { type: end }", with: "      bye: { type: end }\n      bye: { type: end }")
        #expect(problems(nested) == ["flows.main.nodes.bye: the key appears more than once (first at line 7)"])
    }

    @Test func aMissingFileAndAnUnwritableSQLiteFolderSayWhy() throws {
        let missing = ConfigLoader.load(path: "/nonexistent/deskbridge.yaml", environment: [:])
        guard case .failure(let errors) = missing else { Issue.record("a missing file loaded"); return }
        #expect(errors.description == "cannot read config file /nonexistent/deskbridge.yaml: no such file (pass --config FILE or set DESKBRIDGE_CONFIG)")
        guard case .failure(let folder) = ConfigLoader.load(path: "/tmp", environment: [:]) else { Issue.record("a folder loaded"); return }
        #expect(folder.description.hasSuffix("it is a folder"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-folder-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(problems("storage: { url: \"sqlite:\(file.path)/data/x.sqlite\" }\ndesk: { secretKey: s }\n" + Self.minimalFlow)
                == ["storage.url: the SQLite file's folder cannot be created: \(file.path) is not a folder"])
    }

    @Test func crossReferencesAreChecked() {
        let yaml = """
            storage: { url: "mysql://x" }
            channel: { agents: [ { agent: brands/1/agents/2, flow: other } ] }
            desk:
              secretKey: s
              assignment: { defaultSkillGroup: 9 }
              workingHours: { timezone: Mars/Olympus, days: { mon: ["9-18"] } }
              agents: [ { id: a, skillGroups: [ { id: 2, priority: 7 } ] } ]
            """ + "\n" + Self.minimalFlow
        #expect(problems(yaml) == [
            "storage.url: scheme \"mysql\" is not supported; must be sqlite:PATH or postgres://…",
            "channel.agents[0].flow: unknown flow \"other\"",
            "desk.agents[0].skillGroups[0].id: unknown skill group 2",
            "desk.agents[0].skillGroups[0].priority: must be 1 to 5",
            "desk.assignment.defaultSkillGroup: unknown skill group 9",
            "desk.workingHours.timezone: unknown time zone \"Mars/Olympus\"",
            "desk.workingHours.days.mon[0]: expected HH:MM-HH:MM with two different times",
        ])
    }

    @Test func rolesRestReasonsAndExtensionsAreChecked() {
        let yaml = """
            desk:
              secretKey: s
              restReasons: [Meal, Meal, ""]
              extensions: [ { name: CRM, url: "http://crm.example/" }, { name: Local, url: "http://127.0.0.1:8080/" } ]
              roles: [ { name: supervisor }, { name: Leads, modules: { monitoring: [1, 9] } }, { name: Leads } ]
              agents: [ { id: a, role: boss }, { id: b, role: Leads } ]
            """ + "\n" + Self.minimalFlow
        #expect(problems(yaml) == [
            "desk.restReasons[1]: duplicate rest reason \"Meal\"",
            "desk.restReasons[2]: must be 1 to 32 characters",
            "desk.extensions[0].url: must be an https:// URL (http:// only on a loopback host)",
            "desk.roles[0].name: \"supervisor\" is a built-in role",
            "desk.roles[1].modules.monitoring: unknown skill group 9",
            "desk.roles[2].name: duplicate role \"Leads\"",
            "desk.agents[0].role: unknown role \"boss\" (admin, supervisor, agent or one of desk.roles)",
        ])
        let module = """
            desk: { secretKey: s, roles: [ { name: X, modules: { telephony: all } } ] }
            """ + "\n" + Self.minimalFlow
        #expect(problems(module).contains { $0.contains("unknown module \"telephony\"") })
    }

    @Test func theShippedConfigurationIsValid() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let path = root.appendingPathComponent("config/deskbridge.yaml").path
        let result = ConfigLoader.load(path: path, environment: ["BM_TOKEN": "t", "BM_CLIENT_TOKEN": "c", "DESK_SECRET": "s"])
        #expect(throws: Never.self) { try result.get() }
    }
}
