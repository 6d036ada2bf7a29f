import DeskBridgeCore
import Foundation

/// Semantic checks that decoding cannot express: references, ranges, reachability.
struct ConfigValidator {
    let loaded: LoadedConfig
    private var config: DeskBridgeConfig { loaded.config }

    /// Why the SQLite file's folder could not be created or written, if it could not: the nearest
    /// existing ancestor must be a writable folder.
    static func folderProblem(for path: String) -> String? {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        guard isFolder.boolValue else { return "the SQLite file's folder cannot be created: \(folder.path) is not a folder" }
        guard access(folder.path, W_OK) == 0 else { return "the SQLite file's folder cannot be created or written: \(folder.path) is not writable" }
        return nil
    }

    func problems() -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        func fail(_ path: String, _ message: String) { out.append(ConfigProblem(path: path, message: message)) }

        // server, storage, channel
        if !(0...65_535).contains(config.server.port) { fail("server.port", "must be between 0 and 65535") }
        if config.server.maxBodyBytes < 1_024 { fail("server.maxBodyBytes", "must be at least 1024") }
        for (key, value) in [("headerTimeoutSeconds", config.server.headerTimeoutSeconds), ("bodyTimeoutSeconds", config.server.bodyTimeoutSeconds),
                             ("idleTimeoutSeconds", config.server.idleTimeoutSeconds)] where !(0.1...3_600).contains(value) {
            fail("server.\(key)", "must be between 0.1 and 3600 seconds")
        }
        do { _ = try TrustedProxies(config.server.trustedProxies) } catch {
            fail("server.trustedProxies", "\(error.entry) is not an IP address or CIDR range (e.g. 10.0.0.5, 172.16.0.0/12, fd00::/8)")
        }
        switch loaded.storage {
        case .invalidPostgres(let problem):
            fail("storage.url", "PostgreSQL URL \(problem)")
        case .unsupported(let scheme):
            let named = !scheme.isEmpty && scheme != "sqlite" ? "scheme \"\(scheme)\" is not supported; " : ""
            fail("storage.url", "\(named)must be sqlite:PATH or postgres://…")
        case .sqlite:
            if let path = loaded.sqlitePath, let problem = Self.folderProblem(for: path) { fail("storage.url", problem) }
        case .postgres:
            break
        }
        let retention = config.storage.retention
        for (key, value) in [("webhookDays", retention.webhookDays), ("deliveredCallDays", retention.deliveredCallDays),
                             ("dedupeDays", retention.dedupeDays), ("recordDays", retention.recordDays)] where !(0...36_500).contains(value) {
            fail("storage.retention.\(key)", "must be between 0 (keep forever) and 36500 days")
        }
        if URL(string: config.channel.apiBaseURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            fail("channel.apiBaseURL", "must be an http(s) URL")
        }
        if let auth = config.channel.auth {
            switch (auth.serviceAccountKeyFile, auth.bearerToken) {
            case (nil, nil): fail("channel.auth", "set serviceAccountKeyFile or bearerToken, or omit auth")
            case (.some, .some): fail("channel.auth", "set only one of serviceAccountKeyFile and bearerToken")
            case (let file?, nil):
                if !FileManager.default.isReadableFile(atPath: loaded.resolve(file)) {
                    fail("channel.auth.serviceAccountKeyFile", "cannot read \(file)")
                }
            case (nil, .some): break
            }
        }
        let retry = config.channel.retry
        for (key, value) in [("requestTimeoutMs", retry.requestTimeoutMs), ("initialBackoffMs", retry.initialBackoffMs),
                             ("maxBackoffMs", retry.maxBackoffMs), ("giveUpAfterHours", retry.giveUpAfterHours)] where value <= 0 {
            fail("channel.retry.\(key)", "must be positive")
        }
        if retry.maxBackoffMs < retry.initialBackoffMs { fail("channel.retry.maxBackoffMs", "must not be below initialBackoffMs") }
        var webAppIds: Set<String> = []
        for (index, web) in config.webChannels.enumerated() {
            let path = "webChannels[\(index)]"
            if web.webAppId.isEmpty || web.webAppId.count > 64 || !web.webAppId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                fail("\(path).webAppId", "must be 1 to 64 letters, digits, - or _")
            }
            if !webAppIds.insert(web.webAppId).inserted { fail("\(path).webAppId", "\"\(web.webAppId)\" is used twice") }
            if let flow = web.flow, config.flows.flows[flow] == nil { fail("\(path).flow", "unknown flow \"\(flow)\"") }
            if let avatar = web.avatarImage, !avatar.hasPrefix("https://") { fail("\(path).avatarImage", "must be an https: URL") }
            for (key, value) in [("visitorRequestsPerMinute", web.visitorRequestsPerMinute), ("addressRequestsPerMinute", web.addressRequestsPerMinute)]
            where value < 1 || value > 100_000 {
                fail("\(path).\(key)", "must be 1 to 100000")
            }
            if web.uploadMaxBytes < 1_024 || web.uploadMaxBytes > 20 * 1_024 * 1_024 { fail("\(path).uploadMaxBytes", "must be 1024 to 20971520") }
            if let secret = web.identitySecret, secret.reveal.count < 16 { fail("\(path).identitySecret", "must be at least 16 characters") }
            for (number, origin) in web.allowedOrigins.enumerated() {
                guard let url = URL(string: origin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty else {
                    fail("\(path).allowedOrigins[\(number)]", "must be an origin such as https://shop.example")
                    continue
                }
            }
        }
        for (index, agent) in config.channel.agents.enumerated() where config.flows.flows[agent.flow] == nil {
            fail("channel.agents[\(index)].flow", "unknown flow \"\(agent.flow)\"")
        }

        // desk
        let desk = config.desk
        for problem in DeskSettings(desk).problems { fail("desk.\(problem.key)", problem.message) }
        if desk.secretKey.isEmpty { fail("desk.secretKey", "must not be empty") }
        for (index, group) in desk.quickReplies.enumerated() {
            if group.group.isEmpty { fail("desk.quickReplies[\(index)].group", "must not be empty") }
            for (reply, text) in group.replies.enumerated() where text.isEmpty || text.count > 3_072 {
                fail("desk.quickReplies[\(index)].replies[\(reply)]", "must be 1 to 3072 characters")
            }
        }
        let groupIds = desk.skillGroups.map(\.id)
        for (index, role) in desk.roles.enumerated() {
            if role.name.trimmingCharacters(in: .whitespaces).isEmpty || role.name.count > 40 { fail("desk.roles[\(index)].name", "must be 1 to 40 characters") }
            if ConsoleAccess.builtInRoles.contains(role.name) { fail("desk.roles[\(index)].name", "\"\(role.name)\" is a built-in role") }
            if desk.roles.prefix(index).contains(where: { $0.name == role.name }) { fail("desk.roles[\(index)].name", "duplicate role \"\(role.name)\"") }
            for (module, scope) in role.modules.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                guard case .groups(let groups) = scope else { continue }
                for group in groups.sorted() where !groupIds.contains(group) {
                    fail("desk.roles[\(index)].modules.\(module.rawValue)", "unknown skill group \(group)")
                }
            }
        }
        for problem in DeskDirectory(desk).problems(in: desk) { fail("desk.\(problem.key)", problem.message) }
        if desk.assignment.strategy == .webhook, desk.callbacks.assignment.url == nil {
            fail("desk.callbacks.assignment.url", "required when desk.assignment.strategy is webhook")
        }
        if desk.assignment.fallback == .webhook { fail("desk.assignment.fallback", "must be automatic or userChoice") }
        if desk.reception.acceptTimeoutSeconds < 1 { fail("desk.reception.acceptTimeoutSeconds", "must be at least 1") }
        for (key, endpoint) in [("assignment", desk.callbacks.assignment), ("sessionEvents", desk.callbacks.sessionEvents)] {
            if let url = endpoint.url, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
                fail("desk.callbacks.\(key).url", "must be an http(s) URL")
            }
            if endpoint.timeoutMs <= 0 { fail("desk.callbacks.\(key).timeoutMs", "must be positive") }
        }
        out += desk.workingHours.schedule.problems(at: "desk.workingHours")
        let known = Template.systemVariables.union(config.flows.flows.values.flatMap(FlowValidator.flowVariables))
        for (key, text) in [("prompts.welcome", desk.prompts.welcome ?? ""), ("prompts.connecting", desk.prompts.connecting),
                            ("prompts.connected", desk.prompts.connected), ("prompts.failed", desk.prompts.failed), ("queue.prompt", desk.queue.prompt),
                            ("workingHours.afterHoursReply", desk.workingHours.afterHoursReply), ("closure.timeoutMessage", desk.closure.timeoutMessage),
                            ("closure.closureMessage", desk.closure.closureMessage)] {
            for name in Template.variableNames(in: text) where !known.contains(name) {
                fail("desk.\(key)", "unknown variable ${\(name)}")
            }
        }
        if !(1...10).contains(desk.satisfaction.scale) { fail("desk.satisfaction.scale", "must be 1 to 10") }
        let labels = desk.satisfaction.labels
        if !labels.isEmpty, labels.count != desk.satisfaction.scale {
            fail("desk.satisfaction.labels", "needs one label per level: \(desk.satisfaction.scale), not \(labels.count)")
        }
        for (index, label) in labels.enumerated() where label.isEmpty || label.count > 25 {
            fail("desk.satisfaction.labels[\(index)]", "must be 1 to 25 characters (a Google chip's limit)")
        }

        out += FlowValidator(flows: config.flows).problems()
        return out
    }
}
