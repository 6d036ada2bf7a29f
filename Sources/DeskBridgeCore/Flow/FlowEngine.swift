import Foundation

/// Where a session stands in its flow.
package struct FlowCursor: Codable, Sendable, Equatable {
    package var flow: String
    /// The `flows` version the session started on (nil: stored before versions existed).
    package var version: String?
    /// The node waiting for the user's answer (or an interface call's result), if any.
    package var waitingAt: String?
    /// The reference of the menu the waiting node sent (chip postbacks carry it).
    package var menuRef: String?
    /// Where the flow resumes if a transfer cannot reach a human.
    package var afterTransfer: String?
    /// The interface call the flow waits for.
    package var pendingCall: String?
    /// Chatbot nodes that already sent their welcome card in this session.
    package var greeted: [String] = []
    /// Counter behind interface call ids.
    package var calls = 0

    package init(flow: String, version: String? = nil) {
        self.flow = flow
        self.version = version
    }
}

/// What the flow wants done; the conversation engine turns these into calls.
package enum FlowEffect: Sendable, Equatable {
    case say(FlowMessage)
    case transfer(SkillGroupID?)
    case callInterface(InterfaceCall)
    case end
}

/// A message the bot says, in desk terms (translated to Google shapes later).
package enum FlowMessage: Sendable, Equatable {
    case text(String)
    case menu(DeskCustomMessage.Menu)
    case form(DeskCustomMessage.Form)
    case botCard(DeskCustomMessage.BotCard)
    case markdown(String)

    /// The desk custom message it is, or nil for plain text.
    package var desk: DeskCustomMessage? {
        switch self {
        case .text: nil
        case .menu(let menu): .branch(menu)
        case .form(let form): .form(form)
        case .botCard(let card): .botCard(card)
        case .markdown(let markdown): .markdown(markdown)
        }
    }
}

/// An `interfaceCall` node's request, with variables already substituted.
package struct InterfaceCall: Codable, Sendable, Equatable {
    package var callId: String
    package var url: String
    package var timeoutMs: Int
    package var maxErrors: Int
    package var request: [String: String]
    package var response: [String]
    package var defaults: [String: String]

    package init(callId: String, url: String, timeoutMs: Int, maxErrors: Int, request: [String: String], response: [String], defaults: [String: String]) {
        self.callId = callId
        self.url = url
        self.timeoutMs = timeoutMs
        self.maxErrors = maxErrors
        self.request = request
        self.response = response
        self.defaults = defaults
    }
}

/// A user answer (or a call result) the flow may consume.
package enum FlowInput: Sendable, Equatable {
    case text(String)
    /// A chip tap: the menu reference and item index from its postback, plus the item's text.
    case chip(ref: String, index: Int, text: String)
    /// The outcome of an interface call: its values, or nil when every attempt failed.
    case interfaceResult(callId: String, values: [String: String]?)

    var text: String? {
        switch self {
        case .text(let text), .chip(_, _, let text): text
        case .interfaceResult: nil
        }
    }
}

/// Runs a session service flow: state + input + now → new state + effects. Pure.
package struct FlowEngine: Sendable {
    package let flow: FlowDefinition
    let schedule: WorkingSchedule
    /// Guards against flows that never wait for the user (check-config rejects them too).
    package static let maxStepsPerTurn = 64
    /// Questions a chatbot's welcome card offers.
    static let popularQuestions = 5

    package init(flow: FlowDefinition, schedule: WorkingSchedule) {
        self.flow = flow
        self.schedule = schedule
    }

    /// The variables a step reads and writes: the session's flow variables, over the system ones.
    package struct Scope {
        package var variables: [String: String]
        package let system: [String: String]
        package let now: Date
        package init(variables: [String: String], system: [String: String], now: Date) {
            self.variables = variables
            self.system = system
            self.now = now
        }
        var all: [String: String] { system.merging(variables) { _, flow in flow } }
        func render(_ text: String) -> String { Template.render(text, all) }
    }

    /// Starts the flow at its start node.
    package func start(_ cursor: inout FlowCursor, _ scope: inout Scope) -> [FlowEffect] {
        run(from: flow.start, &cursor, &scope)
    }

    /// Feeds an input to the node waiting for it. Nil when no node waits for this input,
    /// so the caller knows it was not the flow's.
    package func receive(_ input: FlowInput, _ cursor: inout FlowCursor, _ scope: inout Scope) -> [FlowEffect]? {
        guard let nodeId = cursor.waitingAt, let node = flow.nodes[nodeId] else { return nil }
        switch (node.type, input) {
        case (.interfaceCall, .interfaceResult(let callId, let values)):
            guard callId == cursor.pendingCall else { return nil }
            for key in node.response ?? [] { scope.variables[key] = values?[key] ?? node.defaults?[key] ?? "" }
            if values == nil { for (key, value) in node.defaults ?? [:] { scope.variables[key] = value } }
            cursor.pendingCall = nil
            return advance(to: node.next, &cursor, &scope)
        case (.interfaceCall, _), (_, .interfaceResult):
            return nil
        case (.branch, _):
            let items = node.items ?? []
            guard let index = Self.select(input, items: items, menuRef: cursor.menuRef) else {
                return reask(node, prompt: node.errorPrompt, &cursor, scope)
            }
            return advance(to: items[index].next, &cursor, &scope)
        case (.collect, _):
            let answer = input.text ?? ""
            if let options = node.options, !options.isEmpty {
                let items = options.map { FlowNode.BranchItem(content: $0, next: nil) }
                guard let index = Self.select(input, items: items, menuRef: cursor.menuRef) else {
                    return reask(node, prompt: node.errorPrompt, &cursor, scope)
                }
                scope.variables[node.variable ?? ""] = options[index]
            } else {
                scope.variables[node.variable ?? ""] = answer
            }
            return advance(to: node.next, &cursor, &scope)
        case (.chatbot, _):
            let questions = node.questions ?? []
            switch FAQMatcher(questions: questions).match(input.text ?? "") {
            case .answer(let index):
                return [.say(.markdown(questions[index].answer))]
            case .clarify(let indices):
                return [.say(.botCard(.init(subtype: "clarify_msg", title: node.clarifyTitle ?? "Did you mean:", content: "",
                                            items: indices.map { .init(content: questions[$0].question) })))]
            case .none:
                return advance(to: node.next, &cursor, &scope)
            }
        default:
            return nil
        }
    }

    /// Resumes after a transfer that could not reach a human.
    package func resumeAfterTransfer(_ cursor: inout FlowCursor, _ scope: inout Scope) -> [FlowEffect] {
        let next = cursor.afterTransfer
        cursor.afterTransfer = nil
        return run(from: next, &cursor, &scope)
    }

    /// Which item an answer selects: a chip of the current menu, the exact item text
    /// (strict equality, as Tencent does), or one of the item's keywords.
    package static func select(_ input: FlowInput, items: [FlowNode.BranchItem], menuRef: String?) -> Int? {
        switch input {
        case .chip(let ref, let index, let text):
            if ref == menuRef, items.indices.contains(index) { return index }
            return select(.text(text), items: items, menuRef: menuRef)
        case .text(let text):
            if let exact = items.firstIndex(where: { $0.content == text }) { return exact }
            let folded = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            return items.firstIndex { item in (item.keywords ?? []).contains { $0.lowercased() == folded } }
        case .interfaceResult:
            return nil
        }
    }

    // MARK: - Running

    private func advance(to next: String?, _ cursor: inout FlowCursor, _ scope: inout Scope) -> [FlowEffect] {
        cursor.waitingAt = nil
        cursor.menuRef = nil
        return run(from: next, &cursor, &scope)
    }

    private func reask(_ node: FlowNode, prompt: String?, _ cursor: inout FlowCursor, _ scope: Scope) -> [FlowEffect] {
        var effects: [FlowEffect] = []
        if let prompt, !prompt.isEmpty { effects.append(.say(.text(scope.render(prompt)))) }
        effects.append(.say(question(for: node, scope)))
        return effects
    }

    /// What a waiting node sends to ask its question.
    private func question(for node: FlowNode, _ scope: Scope) -> FlowMessage {
        switch node.type {
        case .collect:
            if let options = node.options, !options.isEmpty {
                return .form(.init(header: scope.render(node.header ?? ""), type: 1, items: options.map { .init(content: $0) }))
            }
            return .form(.init(header: scope.render(node.header ?? ""), type: 0, items: nil))
        default:
            return .menu(.init(header: scope.render(node.header ?? ""), items: (node.items ?? []).map { .init(content: $0.content, desc: $0.desc) },
                               tail: node.tail.map(scope.render)))
        }
    }

    private func run(from start: String?, _ cursor: inout FlowCursor, _ scope: inout Scope) -> [FlowEffect] {
        var effects: [FlowEffect] = []
        var nodeId = start
        for _ in 0..<Self.maxStepsPerTurn {
            guard let id = nodeId, let node = flow.nodes[id] else { break }
            switch node.type {
            case .message:
                effects.append(.say(.text(scope.render(node.text ?? ""))))
                nodeId = node.next
            case .branch, .collect:
                effects.append(.say(question(for: node, scope)))
                cursor.waitingAt = id
                return effects
            case .chatbot:
                if !cursor.greeted.contains(id) {
                    cursor.greeted.append(id)
                    let popular = (node.questions ?? []).prefix(node.popularCount ?? Self.popularQuestions).map { DeskCustomMessage.Menu.Item(content: $0.question) }
                    effects.append(.say(.botCard(.init(subtype: "welcome_msg", title: scope.render(node.header ?? "Popular questions"),
                                                       content: "", items: Array(popular)))))
                }
                cursor.waitingAt = id
                return effects
            case .interfaceCall:
                cursor.calls += 1
                let callId = "\(id)#\(cursor.calls)"
                cursor.pendingCall = callId
                cursor.waitingAt = id
                effects.append(.callInterface(InterfaceCall(
                    callId: callId, url: node.url ?? "", timeoutMs: node.timeoutMs ?? 2_000, maxErrors: max(node.maxErrors ?? 1, 0),
                    request: (node.request ?? [:]).mapValues(scope.render), response: node.response ?? [], defaults: node.defaults ?? [:])))
                return effects
            case .condition:
                let all = scope.all
                let chosen = (node.branches ?? []).first { branch in
                    (try? ConditionExpression.parse(branch.when))?.evaluate(all) ?? false
                }
                nodeId = chosen?.next ?? node.defaultNext
            case .serviceTime:
                let open = node.schedule.map(WorkingSchedule.init)?.isOpen(at: scope.now) ?? schedule.isOpen(at: scope.now)
                nodeId = open ? node.inHours : node.outOfHours
            case .transfer:
                cursor.afterTransfer = node.next
                effects.append(.transfer(node.skillGroup))
                return effects
            case .end:
                nodeId = nil
            }
        }
        cursor.waitingAt = nil
        effects.append(.end)
        return effects
    }
}
