import Foundation

/// Where a session stands in its flow.
package struct FlowCursor: Codable, Sendable, Equatable {
    package var flow: String
    /// The node waiting for the user's answer, if any.
    package var waitingAt: String?
    /// The reference of the menu the waiting node sent (chip postbacks carry it).
    package var menuRef: String?
    /// Where the flow resumes if a transfer cannot reach a human.
    package var afterTransfer: String?
    package var finished = false

    package init(flow: String) { self.flow = flow }
}

/// What the flow wants done; the conversation engine turns these into calls.
package enum FlowEffect: Sendable, Equatable {
    case say(FlowMessage)
    case transfer(SkillGroupID?)
    case end
}

/// A message the bot says, in desk terms (translated to Google shapes later).
package enum FlowMessage: Sendable, Equatable {
    case text(String)
    case menu(DeskCustomMessage.Menu)
}

/// A user answer the flow may consume.
package enum FlowInput: Sendable, Equatable {
    case text(String)
    /// A chip tap: the menu reference and item index from its postback, plus its visible text.
    case chip(ref: String, index: Int, text: String)
}

/// Runs a session service flow: state + input → new state + effects. Pure.
package struct FlowEngine: Sendable {
    package let flow: FlowDefinition
    /// Guards against flows that never wait for the user (check-config rejects them too).
    package static let maxStepsPerTurn = 64

    package init(flow: FlowDefinition) { self.flow = flow }

    /// Starts the flow at its start node.
    package func start(_ cursor: inout FlowCursor, variables: [String: String]) -> [FlowEffect] {
        run(from: flow.start, &cursor, variables: variables)
    }

    /// Feeds a user answer to the node waiting for it. Returns nil when no node is waiting,
    /// so the caller knows the input was not the flow's.
    package func receive(_ input: FlowInput, _ cursor: inout FlowCursor, variables: [String: String]) -> [FlowEffect]? {
        guard let nodeId = cursor.waitingAt, let node = flow.nodes[nodeId] else { return nil }
        switch node.type {
        case .branch:
            let items = node.items ?? []
            guard let index = Self.select(input, items: items, menuRef: cursor.menuRef) else {
                var effects: [FlowEffect] = []
                if let prompt = node.errorPrompt, !prompt.isEmpty { effects.append(.say(.text(Template.render(prompt, variables)))) }
                effects.append(.say(.menu(menu(for: node, variables: variables))))
                return effects
            }
            cursor.waitingAt = nil
            cursor.menuRef = nil
            return run(from: items[index].next, &cursor, variables: variables)
        default:
            return nil
        }
    }

    /// Which branch item an answer selects: a chip of the current menu, the exact item text
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
        }
    }

    private func menu(for node: FlowNode, variables: [String: String]) -> DeskCustomMessage.Menu {
        DeskCustomMessage.Menu(
            header: Template.render(node.header ?? "", variables),
            items: (node.items ?? []).map { .init(content: $0.content, desc: $0.desc) },
            tail: node.tail.map { Template.render($0, variables) }
        )
    }

    private func run(from start: String?, _ cursor: inout FlowCursor, variables: [String: String]) -> [FlowEffect] {
        var effects: [FlowEffect] = []
        var nodeId = start
        for _ in 0..<Self.maxStepsPerTurn {
            guard let id = nodeId, let node = flow.nodes[id] else { break }
            switch node.type {
            case .message:
                effects.append(.say(.text(Template.render(node.text ?? "", variables))))
                nodeId = node.next
            case .branch:
                effects.append(.say(.menu(menu(for: node, variables: variables))))
                cursor.waitingAt = id
                return effects
            case .transfer:
                cursor.afterTransfer = node.next
                effects.append(.transfer(node.skillGroup))
                return effects
            case .end:
                nodeId = nil
            default:
                // Node types of later issues; check-config refuses flows that use them.
                nodeId = nil
            }
        }
        cursor.waitingAt = nil
        cursor.finished = true
        effects.append(.end)
        return effects
    }
}

extension FlowEngine {
    /// Resumes after a transfer that could not reach a human.
    package func resumeAfterTransfer(_ cursor: inout FlowCursor, variables: [String: String]) -> [FlowEffect] {
        let next = cursor.afterTransfer
        cursor.afterTransfer = nil
        return run(from: next, &cursor, variables: variables)
    }
}
