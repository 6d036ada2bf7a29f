import DeskBridgeCore
import Foundation

/// Checks every flow: a known start, required fields per node type, references to known nodes,
/// no unreachable nodes, and no loop that never waits for the user.
struct FlowValidator {
    let flows: FlowsConfig

    func problems() -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        if flows.flows.isEmpty { out.append(ConfigProblem(path: "flows", message: "at least one flow is required")) }
        if let name = flows.defaultFlow, flows.flows[name] == nil {
            out.append(ConfigProblem(path: "flows.default", message: "unknown flow \"\(name)\""))
        } else if flows.resolvedDefault == nil, flows.flows.count > 1 {
            out.append(ConfigProblem(path: "flows.default", message: "required when there is more than one flow"))
        }
        for name in flows.flows.keys.sorted() {
            out += problems(in: flows.flows[name]!, path: "flows.\(name)")
            out += unknownVariables(in: flows.flows[name]!, path: "flows.\(name)")
        }
        return out
    }

    private func problems(in flow: FlowDefinition, path: String) -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        func fail(_ key: String, _ message: String) { out.append(ConfigProblem(path: "\(path).\(key)", message: message)) }
        if flow.nodes[flow.start] == nil { fail("start", "unknown node \"\(flow.start)\"") }
        for id in flow.nodes.keys.sorted() {
            let node = flow.nodes[id]!
            let at = "nodes.\(id)"
            for (key, missing) in requiredFields(node) where missing { fail("\(at).\(key)", "required for a \(node.type.rawValue) node") }
            for (index, branch) in (node.branches ?? []).enumerated() {
                do throws(ConditionExpression.ParseError) {
                    _ = try ConditionExpression.parse(branch.when)
                } catch {
                    fail("\(at).branches[\(index)].when", error.message)
                }
                if branch.next == nil { fail("\(at).branches[\(index)].next", "required for a condition branch") }
            }
            if node.type == .interfaceCall, let url = node.url, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
                fail("\(at).url", "must be an http(s) URL")
            }
            if let maxErrors = node.maxErrors, !(0...10).contains(maxErrors) { fail("\(at).maxErrors", "must be between 0 and 10 (the failures allowed before the defaults apply)") }
            if let timeout = node.timeoutMs, timeout < 1 { fail("\(at).timeoutMs", "must be positive") }
            if let count = node.popularCount, !(1...8).contains(count) { fail("\(at).popularCount", "must be 1 to 8") }
            if let schedule = node.schedule { out += schedule.problems(at: "\(path).\(at).schedule") }
            for (key, target) in node.successors where flow.nodes[target] == nil {
                fail("\(at).\(key)", "unknown node \"\(target)\"")
            }
        }
        let reachable = reach(flow)
        for id in flow.nodes.keys.sorted() where !reachable.contains(id) {
            fail("nodes.\(id)", "unreachable from start \"\(flow.start)\"")
        }
        if let cycle = loopWithoutWaiting(flow) { fail("nodes.\(cycle)", "part of a loop that never waits for the user") }
        return out
    }

    /// The variables a flow can set: what its collect nodes ask for and its interface calls answer.
    static func flowVariables(_ flow: FlowDefinition) -> Set<String> {
        var names: Set<String> = []
        for node in flow.nodes.values {
            if let variable = node.variable { names.insert(variable) }
            names.formUnion(node.response ?? [])
            names.formUnion((node.defaults ?? [:]).keys)
        }
        return names
    }

    /// A `${name}` that neither the desk nor the flow sets would render as nothing: a problem.
    private func unknownVariables(in flow: FlowDefinition, path: String) -> [ConfigProblem] {
        let known = Template.systemVariables.union(Self.flowVariables(flow))
        var out: [ConfigProblem] = []
        for id in flow.nodes.keys.sorted() {
            let node = flow.nodes[id]!
            var texts: [(String, String?)] = [("text", node.text), ("header", node.header), ("tail", node.tail), ("errorPrompt", node.errorPrompt)]
            texts += (node.request ?? [:]).sorted { $0.key < $1.key }.map { ("request.\($0.key)", $0.value) }
            for (key, text) in texts {
                for name in Template.variableNames(in: text ?? "") where !known.contains(name) {
                    out.append(ConfigProblem(path: "\(path).nodes.\(id).\(key)", message: "unknown variable ${\(name)}; the system variables and this flow's collect and interfaceCall variables are known"))
                }
            }
        }
        return out
    }

    private func requiredFields(_ node: FlowNode) -> [(String, Bool)] {
        switch node.type {
        case .message: [("text", node.text == nil)]
        case .branch: [("items", (node.items ?? []).isEmpty)] + (node.items ?? []).enumerated().map { ("items[\($0.offset)].next", $0.element.next == nil) }
        case .collect: [("header", node.header == nil), ("variable", node.variable == nil), ("next", node.next == nil)]
        case .interfaceCall: [("url", node.url == nil), ("next", node.next == nil)]
        case .condition: [("branches", (node.branches ?? []).isEmpty), ("default", node.defaultNext == nil)]
        case .serviceTime: [("inHours", node.inHours == nil), ("outOfHours", node.outOfHours == nil)]
        case .chatbot: [("questions", (node.questions ?? []).isEmpty), ("next", node.next == nil)]
        case .transfer, .end: []
        }
    }

    private func reach(_ flow: FlowDefinition) -> Set<String> {
        var seen: Set<String> = []
        var stack = [flow.start]
        while let id = stack.popLast() {
            guard !seen.contains(id), let node = flow.nodes[id] else { continue }
            seen.insert(id)
            stack += node.successors.map(\.node)
        }
        return seen
    }

    /// A node on a cycle made only of nodes that do not wait for input.
    private func loopWithoutWaiting(_ flow: FlowDefinition) -> String? {
        let waits: Set<FlowNode.Kind> = [.branch, .collect, .chatbot, .transfer, .end]
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ id: String) -> String? {
            guard let node = flow.nodes[id], !waits.contains(node.type) else { return nil }
            if state[id] == 1 { return id }
            if state[id] == 2 { return nil }
            state[id] = 1
            for next in node.successors.map(\.node) { if let found = visit(next) { return found } }
            state[id] = 2
            return nil
        }
        for id in flow.nodes.keys.sorted() { if let found = visit(id) { return found } }
        return nil
    }
}
