import DeskBridgeConfig
import Foundation

/// The configuration the tests run: the shipped flow shape, two agents, short retries.
package enum TestConfig {
    package static func yaml(
        googleURL: String, eventsURL: String? = nil, database: String, port: Int = 0,
        lenaStatus: String = "Available", omarStatus: String = "Offline", receptionLimit: Int = 3,
        initialBackoffMs: Int = 20, maxBackoffMs: Int = 80, requestTimeoutMs: Int = 10_000, bearerToken: String? = "test-bearer",
        flows: String = TestConfig.shopFlow, assignment: String = "{ strategy: automatic }", reception: String = "{ automatic: true }",
        assignmentURL: String? = nil, userTimeoutSeconds: Int = 900, storageURL: String? = nil, trustedProxies: [String] = [],
        webhookKeys: Bool = true, serverTimeouts: String = "", webOrigins: [String] = [], cloudApi: String? = nil,
        extensions: [String] = [], omarRole: String = "agent", roles: [String] = [], extraGroups: [String] = [], extraAgents: [String] = []
    ) -> String {
        """
        server: { host: 127.0.0.1, port: \(port), maxBodyBytes: 4096, trustedProxies: [\(trustedProxies.map { "\"\($0)\"" }.joined(separator: ", "))]\(serverTimeouts) }
        storage: { url: "\(storageURL ?? "sqlite:\(database)")" }
        channel:
          apiBaseURL: \(googleURL)
        \(bearerToken.map { "  auth: { bearerToken: \"\($0)\" }" } ?? "")
          webhook: { \(webhookKeys ? "clientToken: \"\(Wire.clientToken)\", partnerKey: \"PARTNERKEY2\"" : "") }
          bot: { displayName: "Acme Assistant", avatarImage: "https://cdn.example/bot.png" }
          retry: { requestTimeoutMs: \(requestTimeoutMs), initialBackoffMs: \(initialBackoffMs), maxBackoffMs: \(maxBackoffMs), giveUpAfterHours: 1 }
        desk:
          sdkAppId: \(Wire.sdkAppId)
          secretKey: "\(Wire.deskSecret)"
          callbackToken: "cb-token"
          adminPasswordHash: "\(Wire.adminPasswordHash)"
        \(cloudApi.map { "  cloudApi: \($0)" } ?? "")
          callbacks:
            sessionEvents: { \(eventsURL.map { "url: \"\($0)\", " } ?? "")timeoutMs: 2000 }
            assignment: { \(assignmentURL.map { "url: \"\($0)\", " } ?? "")timeoutMs: 2000 }
          assignment: \(assignment)
          reception: \(reception)
          prompts: { connecting: "Connecting…", connected: "You are chatting with ${StaffNickName}.", failed: "Nobody is online." }
          closure: { closureMessage: "Chat ended.", timeoutMessage: "Closed for inactivity.", userTimeoutSeconds: \(userTimeoutSeconds) }
          queue: { prompt: "You are number $QueuePosition." }
          proactive: { enabled: true, timeoutSeconds: 600 }
          extensions: [\(extensions.joined(separator: ", "))]
          roles: [\(roles.joined(separator: ", "))]
          skillGroups: [ { id: 1, name: Support, receptionLimit: \(receptionLimit) }\(extraGroups.map { ", " + $0 }.joined()) ]
          quickReplies:
            - { group: Greetings, replies: ["Hello! How can I help you today?"] }
            - { group: Hours, replies: ["We are open 9 to 18, Monday to Friday."] }
          agents:
            - { id: "lena@acme.example", nickname: Lena, staffNo: "1001", avatarImage: "https://cdn.example/lena.png", status: \(lenaStatus), skillGroups: [ { id: 1 } ] }
            - { id: "omar@acme.example", nickname: Omar, staffNo: "1002", status: \(omarStatus), skillGroups: [ { id: 1 } ], passwordHash: "\(Wire.omarPasswordHash)", role: "\(omarRole)" }
        \(extraAgents.map { "    - " + $0 }.joined(separator: "\n"))
        webChannels:
          - { webAppId: shop-web, name: Acme web, title: Chat with Acme, identitySecret: "\(Wire.webIdentitySecret)", allowedOrigins: [\(webOrigins.map { "\"\($0)\"" }.joined(separator: ", "))] }
        \(flows)
        """
    }

    /// The shipped flow's shape: welcome → menu → hours or a person.
    package static let shopFlow = """
        flows:
          default: main
          main:
            start: welcome
            nodes:
              welcome: { type: message, text: "Hello ${UserName}!", next: menu }
              menu:
                type: branch
                header: "How can we help?"
                errorPrompt: "Please pick an option."
                items:
                  - { content: "Opening hours", next: hours }
                  - { content: "Talk to a person", keywords: [human], next: human }
              hours: { type: message, text: "We are open 9 to 18.", next: done }
              human: { type: transfer, skillGroup: 1, next: done }
              done: { type: end }
        """

    /// A flow with every node type; `interfaceURL` answers the lookup.
    package static func everyNodeFlow(interfaceURL: String) -> String {
        """
        flows:
          default: main
          main:
            start: welcome
            nodes:
              welcome: { type: message, text: "Hello ${UserName}!", next: menu }
              menu:
                type: branch
                header: "How can we help?"
                items:
                  - { content: "Track an order", next: askOrder }
                  - { content: "Talk to a person", next: hours }
              askOrder: { type: collect, header: "Your order number?", variable: orderNo, next: askSize }
              askSize: { type: collect, header: "Which size?", options: [S, M], variable: size, next: lookup }
              lookup:
                type: interfaceCall
                url: "\(interfaceURL)"
                timeoutMs: 1000
                maxErrors: 2
                request: { OrderNo: "${orderNo}", Size: "${size}", Session: "${SystemSessionId}" }
                response: [ Status ]
                defaults: { Status: unknown }
                next: check
              check: { type: condition, branches: [ { when: 'Status == "shipped"', next: shipped } ], default: hours }
              shipped: { type: message, text: "Order ${orderNo} (${size}) is on its way.", next: faq }
              faq:
                type: chatbot
                header: "Popular questions"
                questions:
                  - { question: "How do returns work?", answer: "**Free** returns within [30 days](https://shop.example/returns)." }
                  - { question: "Where is my parcel?", answer: "Track it in your account." }
                next: hours
              hours: { type: serviceTime, inHours: human, outOfHours: closed }
              human: { type: transfer, skillGroup: 1, next: done }
              closed: { type: message, text: "We are closed.", next: done }
              done: { type: end }
        """
    }

    package static func load(_ yaml: String, directory: URL = FileManager.default.temporaryDirectory) throws -> LoadedConfig {
        try ConfigLoader.parse(yaml: yaml, directory: directory, environment: [:]).get()
    }

    /// A fresh temporary folder for one test's database and files.
    package static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("deskbridge-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
