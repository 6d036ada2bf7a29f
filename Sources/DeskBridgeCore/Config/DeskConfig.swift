import Foundation

/// `desk:` — the Tencent-style desk DeskBridge runs (CONTRACT §2).
package struct DeskConfig: Sendable, Decodable {
    package var sdkAppId = 1_400_000_000
    package var adminIdentifier = "administrator"
    /// The administrator's password account for the console, beside its UserSig sign-in.
    package var adminPasswordHash: PasswordHash?
    package var secretKey: Secret
    package var callbackToken: Secret?
    package var callbacks = Callbacks()
    package var assignment = Assignment()
    package var routing = Routing()
    package var reception = Reception()
    package var queue = Queue()
    package var prompts = Prompts()
    package var closure = Closure()
    package var workingHours = WorkingHours()
    package var satisfaction = Satisfaction()
    package var skillGroups: [SkillGroup] = [SkillGroup(id: 1, name: "Support", receptionLimit: 3)]
    package var agents: [Agent] = []
    /// Canned answers agents insert with `#` in the workbench, in groups.
    package var quickReplies: [QuickReplyGroup] = []
    /// Credentials for the Tencent Cloud API 3.0 endpoint (`POST /`); absent: the endpoint refuses every call.
    package var cloudApi: CloudAPI?
    /// Agents starting chats with website visitors (seed 001, "Configure Agent to Proactively Contact Chat Users").
    package var proactive = Proactive()
    /// The reasons an agent may give for a short break (`rest`), offered in the workbench's status menu.
    package var restReasons = ["Break", "Meal", "Meeting", "Training"]
    /// Business pages the workbench shows beside the conversation (seed 001, "Third-party extension").
    package var extensions: [Extension] = []
    /// Custom console roles (`ConsoleAccess`), beside the built-in admin, supervisor and agent.
    package var roles: [Role] = []
    /// The status (an SDK word: `free`, `busy`, `rest`…) an agent gets when it signs in to the
    /// workbench; absent, it keeps the one it has.
    package var signInStatus: String?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case sdkAppId, adminIdentifier, adminPasswordHash, secretKey, callbackToken, callbacks, assignment, routing, reception, queue
        case prompts, closure, workingHours, satisfaction, skillGroups, agents, quickReplies, cloudApi, proactive, restReasons, extensions, roles, signInStatus
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        sdkAppId = try c.value(.sdkAppId, default: sdkAppId)
        adminIdentifier = try c.value(.adminIdentifier, default: adminIdentifier)
        adminPasswordHash = try c.value(.adminPasswordHash, default: nil)
        secretKey = try c.decode(Secret.self, forKey: .secretKey)
        callbackToken = try c.decodeIfPresent(Secret.self, forKey: .callbackToken)
        callbacks = try c.value(.callbacks, default: callbacks)
        assignment = try c.value(.assignment, default: assignment)
        routing = try c.value(.routing, default: routing)
        reception = try c.value(.reception, default: reception)
        queue = try c.value(.queue, default: queue)
        prompts = try c.value(.prompts, default: prompts)
        closure = try c.value(.closure, default: closure)
        workingHours = try c.value(.workingHours, default: workingHours)
        satisfaction = try c.value(.satisfaction, default: satisfaction)
        skillGroups = try c.value(.skillGroups, default: skillGroups)
        agents = try c.value(.agents, default: agents)
        quickReplies = try c.value(.quickReplies, default: quickReplies)
        cloudApi = try c.decodeIfPresent(CloudAPI.self, forKey: .cloudApi)
        proactive = try c.value(.proactive, default: proactive)
        restReasons = try c.value(.restReasons, default: restReasons)
        extensions = try c.value(.extensions, default: extensions)
        roles = try c.value(.roles, default: roles)
        signInStatus = try c.decodeIfPresent(String.self, forKey: .signInStatus)
    }

    /// The desk's own time zone (`desk.workingHours.timezone`), in which records and analysis
    /// count days; UTC if the name is unknown (check-config refuses such a name).
    package var timeZone: TimeZone { TimeZone(identifier: workingHours.timezone) ?? TimeZone(identifier: "UTC")! }

    package func skillGroup(_ id: SkillGroupID) -> SkillGroup? { skillGroups.first { $0.id == id } }
    package func agent(_ id: AgentID) -> Agent? { agents.first { $0.id == id } }

    // MARK: - Sections

    /// `desk.cloudApi`: the SecretId and SecretKey Tencent Cloud API 3.0 clients sign with.
    package struct CloudAPI: Sendable, Decodable {
        package var secretId: String
        package var secretKey: Secret
        private enum CodingKeys: String, CodingKey, CaseIterable { case secretId, secretKey }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            secretId = try c.decode(String.self, forKey: .secretId)
            secretKey = try c.decode(Secret.self, forKey: .secretKey)
        }
    }

    /// `desk.extensions[]`: a business page in an iframe in the workbench's right column. It may
    /// post `{source: 'ccc-sdk', payload: {event, message}}` to the workbench to send a card, a
    /// custom message or a text into the current session (README, "Workbench").
    package struct Extension: Sendable, Codable, Equatable {
        package var name: String
        /// HTTPS, or HTTP on a loopback host (which browsers also treat as a secure context).
        package var url: String
        /// Shown all the time; otherwise only while a session is open.
        package var alwaysVisible = false
        package var enabled = true
        private enum CodingKeys: String, CodingKey, CaseIterable { case name, url, alwaysVisible, enabled }
        package init(name: String, url: String, alwaysVisible: Bool = false, enabled: Bool = true) {
            self.name = name
            self.url = url
            self.alwaysVisible = alwaysVisible
            self.enabled = enabled
        }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            url = try c.decode(String.self, forKey: .url)
            alwaysVisible = try c.value(.alwaysVisible, default: alwaysVisible)
            enabled = try c.value(.enabled, default: enabled)
        }

        /// The URL is one the workbench may frame: HTTPS, or HTTP on a loopback host.
        package static func isAllowed(_ url: URL) -> Bool {
            guard let host = url.host, !host.isEmpty else { return false }
            switch url.scheme?.lowercased() {
            case "https": return true
            case "http": return host == "localhost" || host == "[::1]" || host == "::1" || host.hasPrefix("127.")
            default: return false
            }
        }
    }

    /// `desk.quickReplies[]`: a named group of reply texts.
    package struct QuickReplyGroup: Sendable, Decodable, Equatable {
        package var group: String
        package var replies: [String]
        private enum CodingKeys: String, CodingKey, CaseIterable { case group, replies }
        package init(group: String, replies: [String]) {
            self.group = group
            self.replies = replies
        }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            group = try c.decode(String.self, forKey: .group)
            replies = try c.decode([String].self, forKey: .replies)
        }
    }

    package struct Callbacks: Sendable, Decodable {
        package var assignment = Endpoint()
        package var sessionEvents = Endpoint()
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case assignment, sessionEvents }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            assignment = try c.value(.assignment, default: assignment)
            sessionEvents = try c.value(.sessionEvents, default: sessionEvents)
        }
    }

    package struct Endpoint: Sendable, Decodable {
        package var url: String?
        package var timeoutMs = 2_000
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case url, timeoutMs }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            url = try c.decodeIfPresent(String.self, forKey: .url)
            timeoutMs = try c.value(.timeoutMs, default: timeoutMs)
        }
    }

    package enum Strategy: String, Sendable, Decodable, CaseIterable { case automatic, userChoice, webhook }

    package struct Assignment: Sendable, Decodable {
        package var strategy = Strategy.automatic
        package var fallback = Strategy.automatic
        package var defaultSkillGroup = SkillGroupID(1)
        /// The header of the `userChoice` menu of skill groups.
        package var userChoicePrompt = "Which team would you like to talk to?"
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case strategy, fallback, defaultSkillGroup, userChoicePrompt }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            strategy = try c.value(.strategy, default: strategy)
            fallback = try c.value(.fallback, default: fallback)
            defaultSkillGroup = try c.value(.defaultSkillGroup, default: defaultSkillGroup)
            userChoicePrompt = try c.value(.userChoicePrompt, default: userChoicePrompt)
        }
    }

    package enum RoutingOrder: String, Sendable, Decodable { case fifo, skillGroupPriority }

    package struct Routing: Sendable, Decodable {
        package var order = RoutingOrder.fifo
        package var preferLastReceptionist = false
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case order, preferLastReceptionist }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            order = try c.value(.order, default: order)
            preferLastReceptionist = try c.value(.preferLastReceptionist, default: preferLastReceptionist)
        }
    }

    package struct Reception: Sendable, Decodable {
        package var automatic = true
        package var acceptTimeoutSeconds = 60
        package var redirectOnTimeout = true
        package var breakOnTimeout = false
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case automatic, acceptTimeoutSeconds, redirectOnTimeout, breakOnTimeout }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            automatic = try c.value(.automatic, default: automatic)
            acceptTimeoutSeconds = try c.value(.acceptTimeoutSeconds, default: acceptTimeoutSeconds)
            redirectOnTimeout = try c.value(.redirectOnTimeout, default: redirectOnTimeout)
            breakOnTimeout = try c.value(.breakOnTimeout, default: breakOnTimeout)
        }
    }

    package struct Queue: Sendable, Decodable {
        package var prompt = "You are number $QueuePosition in the queue; $WaitNo people are ahead of you."
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case prompt }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            prompt = try c.value(.prompt, default: prompt)
        }
    }

    package struct Prompts: Sendable, Decodable {
        package var welcome: String?
        package var connecting = "Connecting you to an agent…"
        package var connected = "You are now chatting with ${StaffNickName}."
        package var failed = "No agent is available right now. Please try again later."
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case welcome, connecting, connected, failed }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            welcome = try c.decodeIfPresent(String.self, forKey: .welcome)
            connecting = try c.value(.connecting, default: connecting)
            connected = try c.value(.connected, default: connected)
            failed = try c.value(.failed, default: failed)
        }
    }

    package struct Closure: Sendable, Decodable {
        package var userTimeoutSeconds = 900
        package var timeoutMessage = "This chat was closed because we did not hear from you."
        package var closureMessage = "This chat has ended. Thank you!"
        /// What a user types to end a human session (the Google side's src 27); an addition to the contract.
        package var userEndKeyword = "End chat"
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case userTimeoutSeconds, timeoutMessage, closureMessage, userEndKeyword }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            userTimeoutSeconds = try c.value(.userTimeoutSeconds, default: userTimeoutSeconds)
            timeoutMessage = try c.value(.timeoutMessage, default: timeoutMessage)
            closureMessage = try c.value(.closureMessage, default: closureMessage)
            userEndKeyword = try c.value(.userEndKeyword, default: userEndKeyword)
        }
    }

    /// `desk.proactive`: whether agents may start a chat with a website visitor they served
    /// before, and how long such a chat waits for the visitor's first answer (60 s to a day, as
    /// the seed's "timeout period") before it closes; a visitor who opens the page within that
    /// window sees the agent's messages.
    package struct Proactive: Sendable, Codable, Equatable {
        package var enabled = false
        package var timeoutSeconds = 600
        package init() {}
        package init(enabled: Bool, timeoutSeconds: Int) {
            self.enabled = enabled
            self.timeoutSeconds = timeoutSeconds
        }
        private enum CodingKeys: String, CodingKey, CaseIterable { case enabled, timeoutSeconds }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            enabled = try c.value(.enabled, default: enabled)
            timeoutSeconds = try c.value(.timeoutSeconds, default: timeoutSeconds)
        }
    }

    /// The desk's service time, which `serviceTime` nodes without a `schedule` of their own
    /// and transfers use. `enabled` and `days` are the original keys (custom mode); `mode`,
    /// when given, wins (`closed`, `standard` with `weekdays` and `hours`, `custom` with `days`).
    package struct WorkingHours: Sendable, Decodable {
        package var enabled = false
        package var mode: ServiceSchedule.Mode?
        package var timezone = "UTC"
        package var weekdays = ServiceSchedule.weekdayNames
        package var hours = ["09:00-18:00"]
        package var days: [String: [String]] = [:]
        package var afterHoursReply = "We are closed right now."
        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable { case enabled, mode, timezone, weekdays, hours, days, afterHoursReply }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            enabled = try c.value(.enabled, default: enabled)
            mode = try c.decodeIfPresent(ServiceSchedule.Mode.self, forKey: .mode)
            timezone = try c.value(.timezone, default: timezone)
            weekdays = try c.value(.weekdays, default: weekdays)
            hours = try c.value(.hours, default: hours)
            days = try c.value(.days, default: days)
            afterHoursReply = try c.value(.afterHoursReply, default: afterHoursReply)
        }

        /// As a schedule: `mode` if given, else custom when enabled and closed (always open) when not.
        package var schedule: ServiceSchedule {
            var schedule = ServiceSchedule(mode: mode ?? (enabled ? .custom : .closed))
            schedule.timezone = timezone
            schedule.weekdays = weekdays
            schedule.hours = hours
            schedule.days = days
            return schedule
        }
    }

    package struct Satisfaction: Sendable, Decodable {
        package var sendAfterEnd = true
        package var agentMayInvite = true
        package var userMayRequest = true
        package var scale = 5
        package var invitation = "How would you rate this chat?"
        package var thanks = "Thank you for your feedback!"
        package var validityHours = 12
        /// How the levels show (the card's `type`: 1 stars, 2 numbers), independent of `scale`;
        /// nil: stars up to 5 levels, numbers above.
        package var display: Display?
        /// One label per level (its chip text); empty: the stars or the number.
        package var labels: [String] = []
        /// What the user typing it during a human session brings: the card.
        package var requestPhrase = "Rate this chat"
        /// The BOT's answer to a rating chip that no longer counts (expired, repeated, or from an
        /// earlier card); never sent while an agent holds the session. Empty: no answer.
        package var closedReply = "This rating is closed."

        package enum Display: String, Sendable, Decodable { case stars, numbers }

        /// The display in effect.
        package var shownAs: Display { display ?? (scale <= 5 ? .stars : .numbers) }

        /// The src 23 `menuSendRuleFlag` a client is told in answer to its src 7: bit 0 the card
        /// follows a session's end, bit 1 an agent may send it, bit 2 the user may ask for it.
        package var menuSendRuleFlag: Int { (sendAfterEnd ? 1 : 0) | (agentMayInvite ? 2 : 0) | (userMayRequest ? 4 : 0) }

        package init() {}
        private enum CodingKeys: String, CodingKey, CaseIterable {
            case sendAfterEnd, agentMayInvite, userMayRequest, scale, invitation, thanks, validityHours, display, labels, requestPhrase, closedReply
        }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            sendAfterEnd = try c.value(.sendAfterEnd, default: sendAfterEnd)
            agentMayInvite = try c.value(.agentMayInvite, default: agentMayInvite)
            userMayRequest = try c.value(.userMayRequest, default: userMayRequest)
            scale = try c.value(.scale, default: scale)
            invitation = try c.value(.invitation, default: invitation)
            thanks = try c.value(.thanks, default: thanks)
            validityHours = try c.value(.validityHours, default: validityHours)
            display = try c.decodeIfPresent(Display.self, forKey: .display)
            labels = try c.value(.labels, default: labels)
            requestPhrase = try c.value(.requestPhrase, default: requestPhrase)
            closedReply = try c.value(.closedReply, default: closedReply)
        }
    }

    package struct SkillGroup: Sendable, Codable, Equatable {
        package var id: SkillGroupID
        package var name: String
        package var receptionLimit: Int
        package init(id: SkillGroupID, name: String, receptionLimit: Int) {
            self.id = id
            self.name = name
            self.receptionLimit = receptionLimit
        }
        private enum CodingKeys: String, CodingKey, CaseIterable { case id, name, receptionLimit }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            id = try c.decode(SkillGroupID.self, forKey: .id)
            name = try c.value(.name, default: "Group \(id)")
            receptionLimit = try c.value(.receptionLimit, default: 3)
        }
    }

    package enum AgentStatus: String, Sendable, Codable, CaseIterable { case Available, Busy, Rest, Offline }

    package struct Agent: Sendable, Codable, Equatable {
        package var id: AgentID
        package var nickname: String
        package var staffNo: String
        package var avatarImage: String?
        package var status: AgentStatus
        package var skillGroups: [Membership]
        /// A password account (README, "Workbench"): the agent may sign in with its ID and password.
        package var passwordHash: PasswordHash?
        /// `admin`, `supervisor`, `agent` or a custom role of `desk.roles` (`ConsoleAccess`).
        package var role: String
        /// A disabled agent cannot sign in and is never assigned; its records stay.
        package var enabled: Bool

        package init(id: AgentID, nickname: String, staffNo: String = "", avatarImage: String? = nil, status: AgentStatus = .Offline,
                     skillGroups: [Membership] = [], passwordHash: PasswordHash? = nil, role: String = "agent", enabled: Bool = true) {
            self.id = id
            self.nickname = nickname
            self.staffNo = staffNo
            self.avatarImage = avatarImage
            self.status = status
            self.skillGroups = skillGroups
            self.passwordHash = passwordHash
            self.role = role
            self.enabled = enabled
        }

        package struct Membership: Sendable, Codable, Equatable {
            package var id: SkillGroupID
            package var priority: Int
            private enum CodingKeys: String, CodingKey, CaseIterable { case id, priority }
            package init(id: SkillGroupID, priority: Int) {
                self.id = id
                self.priority = priority
            }
            package init(from decoder: any Decoder) throws {
                let c = try decoder.strictContainer(CodingKeys.self)
                id = try c.decode(SkillGroupID.self, forKey: .id)
                priority = try c.value(.priority, default: 3)
            }
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case id, nickname, staffNo, avatarImage, status, skillGroups, passwordHash, role, enabled }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            id = try c.decode(AgentID.self, forKey: .id)
            nickname = try c.value(.nickname, default: "Support agent")
            staffNo = try c.value(.staffNo, default: "")
            avatarImage = try c.decodeIfPresent(String.self, forKey: .avatarImage)
            status = try c.value(.status, default: .Offline)
            skillGroups = try c.value(.skillGroups, default: [])
            passwordHash = try c.value(.passwordHash, default: nil)
            role = try c.value(.role, default: "agent")
            enabled = try c.value(.enabled, default: true)
        }

        /// How the agent appears to users: nickname and avatar, never the e-mail (translation.md §2).
        package var representative: Representative { Representative(.HUMAN, displayName: nickname, avatarImage: avatarImage) }
    }
}
