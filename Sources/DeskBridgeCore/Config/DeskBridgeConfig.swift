import Foundation

/// The whole configuration (CONTRACT §2), read once at boot into one `Sendable` value.
///
/// Every key has a default except `desk.secretKey` and `flows`.
package struct DeskBridgeConfig: Sendable, Decodable {
    package var server: ServerConfig
    package var storage: StorageConfig
    package var channel: ChannelConfig
    package var desk: DeskConfig
    package var flows: FlowsConfig
    /// Website channels beside the Google channel (an addition; CONTRACT §6).
    package var webChannels: [WebChannelConfig]

    private enum CodingKeys: String, CodingKey, CaseIterable { case server, storage, channel, desk, flows, webChannels }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        server = try c.value(.server, default: ServerConfig())
        storage = try c.value(.storage, default: StorageConfig())
        channel = try c.value(.channel, default: ChannelConfig())
        desk = try c.decode(DeskConfig.self, forKey: .desk)
        flows = try c.decode(FlowsConfig.self, forKey: .flows)
        webChannels = try c.value(.webChannels, default: [])
    }

    package func webChannel(_ webAppId: String) -> WebChannelConfig? { webChannels.first { $0.webAppId == webAppId } }

    /// The flow a conversation of `agent` runs: its website channel's, else the Google agent's mapping, else the default.
    package func flowName(forAgent agent: String) -> String {
        let fallback = flows.resolvedDefault ?? ""
        if let webAppId = ConversationKey(agent: agent, conversationId: "").webAppId {
            return webChannel(webAppId)?.flow ?? fallback
        }
        return channel.flowName(forAgent: agent, default: fallback)
    }
}

package struct ServerConfig: Sendable, Decodable {
    package var host = "127.0.0.1"
    package var port = 8080
    package var maxBodyBytes = 262_144
    package var trustedProxies: [String] = []
    /// A new connection's first request head must be complete within this many seconds.
    package var headerTimeoutSeconds = 10.0
    /// A request's body must be complete within this many seconds of its head.
    package var bodyTimeoutSeconds = 30.0
    /// A keep-alive connection with no request in progress is closed after this many seconds;
    /// longer than nginx's upstream keep-alive (60 s), so the proxy closes first.
    package var idleTimeoutSeconds = 75.0

    package init() {}
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, maxBodyBytes, trustedProxies, headerTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds
    }
    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        host = try c.value(.host, default: host)
        port = try c.value(.port, default: port)
        maxBodyBytes = try c.value(.maxBodyBytes, default: maxBodyBytes)
        trustedProxies = try c.value(.trustedProxies, default: trustedProxies)
        headerTimeoutSeconds = try c.value(.headerTimeoutSeconds, default: headerTimeoutSeconds)
        bodyTimeoutSeconds = try c.value(.bodyTimeoutSeconds, default: bodyTimeoutSeconds)
        idleTimeoutSeconds = try c.value(.idleTimeoutSeconds, default: idleTimeoutSeconds)
    }
}

package struct StorageConfig: Sendable, Decodable, CustomStringConvertible, CustomReflectable {
    /// May hold a database password (`postgres://user:password@…`), so it never prints itself.
    package var url = "sqlite:data/deskbridge.sqlite"

    package var description: String { "StorageConfig(url: <redacted>)" }
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    package var retention = Retention()

    /// How long each kind of stored data is kept, in days (`0` keeps it forever). A row is only
    /// ever removed once nothing needs it: an unprocessed webhook, a call still being delivered
    /// and a session still open are kept whatever their age.
    package struct Retention: Sendable, Decodable, Equatable {
        /// Raw webhook bodies (the users' messages as Google sent them), once processed.
        package var webhookDays = 30
        /// Outbound calls that were delivered or failed for good.
        package var deliveredCallDays = 30
        /// The ids repeats are recognised by. A repeat arriving after its entry is gone is
        /// accepted as a new webhook, so this must outlast the sender's retries (Google retries
        /// for hours, not days).
        package var dedupeDays = 30
        /// Ended sessions' records (summaries and messages), by the session's start.
        package var recordDays = 365

        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case webhookDays, deliveredCallDays, dedupeDays, recordDays }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            webhookDays = try c.value(.webhookDays, default: webhookDays)
            deliveredCallDays = try c.value(.deliveredCallDays, default: deliveredCallDays)
            dedupeDays = try c.value(.dedupeDays, default: dedupeDays)
            recordDays = try c.value(.recordDays, default: recordDays)
        }
    }

    package init() {}
    private enum CodingKeys: String, CodingKey, CaseIterable { case url, retention }
    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        url = try c.value(.url, default: url)
        retention = try c.value(.retention, default: retention)
    }
}

package struct ChannelConfig: Sendable, Decodable {
    package var apiBaseURL = "https://businessmessages.googleapis.com"
    package var auth: Auth?
    package var webhook = Webhook()
    package var bot = Bot()
    package var retry = Retry()
    package var agents: [AgentFlow] = []

    package struct Auth: Sendable, Decodable {
        package var serviceAccountKeyFile: String?
        package var bearerToken: Secret?
        private enum CodingKeys: String, CodingKey, CaseIterable { case serviceAccountKeyFile, bearerToken }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            serviceAccountKeyFile = try c.decodeIfPresent(String.self, forKey: .serviceAccountKeyFile)
            bearerToken = try c.decodeIfPresent(Secret.self, forKey: .bearerToken)
        }
    }

    package struct Webhook: Sendable, Decodable {
        package var clientToken: Secret?
        package var partnerKey: Secret?
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case clientToken, partnerKey }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            clientToken = try c.decodeIfPresent(Secret.self, forKey: .clientToken)
            partnerKey = try c.decodeIfPresent(Secret.self, forKey: .partnerKey)
        }
    }

    package struct Bot: Sendable, Decodable {
        package var displayName = "Assistant"
        package var avatarImage: String?
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case displayName, avatarImage }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            displayName = try c.value(.displayName, default: displayName)
            avatarImage = try c.decodeIfPresent(String.self, forKey: .avatarImage)
        }
    }

    package struct Retry: Sendable, Decodable {
        package var requestTimeoutMs = 10_000
        package var initialBackoffMs = 500
        package var maxBackoffMs = 30_000
        package var giveUpAfterHours = 24
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case requestTimeoutMs, initialBackoffMs, maxBackoffMs, giveUpAfterHours }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            requestTimeoutMs = try c.value(.requestTimeoutMs, default: requestTimeoutMs)
            initialBackoffMs = try c.value(.initialBackoffMs, default: initialBackoffMs)
            maxBackoffMs = try c.value(.maxBackoffMs, default: maxBackoffMs)
            giveUpAfterHours = try c.value(.giveUpAfterHours, default: giveUpAfterHours)
        }
        package var policy: RetryPolicy {
            RetryPolicy(initialBackoffMs: initialBackoffMs, maxBackoffMs: maxBackoffMs, giveUpAfterMs: Int64(giveUpAfterHours) * 3_600_000)
        }
    }

    package struct AgentFlow: Sendable, Decodable {
        package var agent: String
        package var flow: String
        private enum CodingKeys: String, CodingKey, CaseIterable { case agent, flow }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            agent = try c.decode(String.self, forKey: .agent)
            flow = try c.decode(String.self, forKey: .flow)
        }
    }

    package init() {}
    private enum CodingKeys: String, CodingKey, CaseIterable { case apiBaseURL, auth, webhook, bot, retry, agents }
    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        apiBaseURL = try c.value(.apiBaseURL, default: apiBaseURL)
        auth = try c.decodeIfPresent(Auth.self, forKey: .auth)
        webhook = try c.value(.webhook, default: webhook)
        bot = try c.value(.bot, default: bot)
        retry = try c.value(.retry, default: retry)
        agents = try c.value(.agents, default: agents)
    }

    /// The name of the flow a Google agent's conversations run.
    package func flowName(forAgent agent: String, default fallback: String) -> String {
        agents.first { $0.agent == agent }?.flow ?? fallback
    }
}
