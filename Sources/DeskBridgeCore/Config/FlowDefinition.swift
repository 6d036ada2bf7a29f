import Foundation

/// `flows:` — `default` names the flow for Google agents not listed in `channel.agents`;
/// every other key is a flow.
package struct FlowsConfig: Sendable, Decodable {
    package var defaultFlow: String?
    package var flows: [String: FlowDefinition]
    /// A digest of the `flows` section as written (set by the loader): a session remembers the
    /// version it started on, so a reload never changes a flow under a running session.
    package var version = ""

    package init(defaultFlow: String?, flows: [String: FlowDefinition]) {
        self.defaultFlow = defaultFlow
        self.flows = flows
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        var flows: [String: FlowDefinition] = [:]
        for key in c.allKeys where key.stringValue != "default" {
            flows[key.stringValue] = try c.decode(FlowDefinition.self, forKey: key)
        }
        self.flows = flows
        self.defaultFlow = try c.decodeIfPresent(String.self, forKey: AnyCodingKey("default"))
    }

    /// The default flow: `flows.default`, or the only flow there is.
    package var resolvedDefault: String? { defaultFlow ?? (flows.count == 1 ? flows.keys.first : nil) }
}

/// One session service flow: a start node and named nodes.
package struct FlowDefinition: Sendable, Decodable {
    package var start: String
    package var nodes: [String: FlowNode]

    private enum CodingKeys: String, CodingKey, CaseIterable { case start, nodes }
    package init(start: String, nodes: [String: FlowNode]) {
        self.start = start
        self.nodes = nodes
    }
    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        start = try c.decode(String.self, forKey: .start)
        nodes = try c.decode([String: FlowNode].self, forKey: .nodes)
    }
}

/// One flow node. Decoded leniently (every field optional) so that validation can report
/// each missing field with its key path instead of stopping at the first.
package struct FlowNode: Sendable, Decodable, Equatable {
    package enum Kind: String, Sendable, Decodable, CaseIterable {
        case message, branch, collect, interfaceCall, condition, serviceTime, transfer, chatbot, end
    }

    package var type: Kind
    package var text: String?
    package var next: String?
    // branch
    package var header: String?
    package var tail: String?
    package var errorPrompt: String?
    package var items: [BranchItem]?
    // collect
    package var variable: String?
    package var options: [String]?
    // interfaceCall
    package var url: String?
    package var timeoutMs: Int?
    package var maxErrors: Int?
    package var request: [String: String]?
    package var response: [String]?
    package var defaults: [String: String]?
    // condition
    package var branches: [ConditionBranch]?
    package var defaultNext: String?
    // serviceTime
    package var inHours: String?
    package var outOfHours: String?
    /// The node's own service time; without it, `desk.workingHours`.
    package var schedule: ServiceSchedule?
    // transfer
    package var skillGroup: SkillGroupID?
    // chatbot
    package var questions: [QuestionAnswer]?
    /// The "Did you mean" card's title (default `Did you mean:`).
    package var clarifyTitle: String?
    /// How many questions the welcome card shows (1 to 8, as the seed's example; default 5).
    package var popularCount: Int?

    package init(type: Kind) { self.type = type }

    package struct BranchItem: Sendable, Decodable, Equatable {
        package var content: String
        package var desc: String?
        package var keywords: [String]?
        package var next: String?
        private enum CodingKeys: String, CodingKey, CaseIterable { case content, desc, keywords, next }
        package init(content: String, next: String?, keywords: [String]? = nil) {
            self.content = content
            self.next = next
            self.keywords = keywords
        }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            content = try c.decode(String.self, forKey: .content)
            desc = try c.decodeIfPresent(String.self, forKey: .desc)
            keywords = try c.decodeIfPresent([String].self, forKey: .keywords)
            next = try c.decodeIfPresent(String.self, forKey: .next)
        }
    }

    package struct ConditionBranch: Sendable, Decodable, Equatable {
        package var when: String
        package var next: String?
        private enum CodingKeys: String, CodingKey, CaseIterable { case when, next }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            when = try c.decode(String.self, forKey: .when)
            next = try c.decodeIfPresent(String.self, forKey: .next)
        }
    }

    package struct QuestionAnswer: Sendable, Decodable, Equatable {
        package var question: String
        package var answer: String
        package var keywords: [String]?
        private enum CodingKeys: String, CodingKey, CaseIterable { case question, answer, keywords }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            question = try c.decode(String.self, forKey: .question)
            answer = try c.decode(String.self, forKey: .answer)
            keywords = try c.decodeIfPresent([String].self, forKey: .keywords)
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case type, text, next, header, tail, errorPrompt, items, variable, options, url, timeoutMs, maxErrors
        case request, response, defaults, branches, defaultNext = "default", inHours, outOfHours, schedule, skillGroup, questions, clarifyTitle, popularCount
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        type = try c.decode(Kind.self, forKey: .type)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        next = try c.decodeIfPresent(String.self, forKey: .next)
        header = try c.decodeIfPresent(String.self, forKey: .header)
        tail = try c.decodeIfPresent(String.self, forKey: .tail)
        errorPrompt = try c.decodeIfPresent(String.self, forKey: .errorPrompt)
        items = try c.decodeIfPresent([BranchItem].self, forKey: .items)
        variable = try c.decodeIfPresent(String.self, forKey: .variable)
        options = try c.decodeIfPresent([String].self, forKey: .options)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        timeoutMs = try c.decodeIfPresent(Int.self, forKey: .timeoutMs)
        maxErrors = try c.decodeIfPresent(Int.self, forKey: .maxErrors)
        request = try c.decodeIfPresent([String: String].self, forKey: .request)
        response = try c.decodeIfPresent([String].self, forKey: .response)
        defaults = try c.decodeIfPresent([String: String].self, forKey: .defaults)
        branches = try c.decodeIfPresent([ConditionBranch].self, forKey: .branches)
        defaultNext = try c.decodeIfPresent(String.self, forKey: .defaultNext)
        inHours = try c.decodeIfPresent(String.self, forKey: .inHours)
        outOfHours = try c.decodeIfPresent(String.self, forKey: .outOfHours)
        schedule = try c.decodeIfPresent(ServiceSchedule.self, forKey: .schedule)
        skillGroup = try c.decodeIfPresent(SkillGroupID.self, forKey: .skillGroup)
        questions = try c.decodeIfPresent([QuestionAnswer].self, forKey: .questions)
        clarifyTitle = try c.decodeIfPresent(String.self, forKey: .clarifyTitle)
        popularCount = try c.decodeIfPresent(Int.self, forKey: .popularCount)
    }

    /// Every node this one can lead to, with the key path of the reference.
    package var successors: [(path: String, node: String)] {
        var out: [(String, String)] = []
        if let next { out.append(("next", next)) }
        for (index, item) in (items ?? []).enumerated() { if let next = item.next { out.append(("items[\(index)].next", next)) } }
        for (index, branch) in (branches ?? []).enumerated() { if let next = branch.next { out.append(("branches[\(index)].next", next)) } }
        if let defaultNext { out.append(("default", defaultNext)) }
        if let inHours { out.append(("inHours", inHours)) }
        if let outOfHours { out.append(("outOfHours", outOfHours)) }
        return out
    }
}
