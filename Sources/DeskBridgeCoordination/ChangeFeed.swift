import DeskBridgeCore
import Synchronization

/// A change as other replicas hear it (PostgreSQL `NOTIFY`): enough to tell their own pages.
package struct ChangeNote: Codable, Sendable, Equatable {
    /// `directory`: the agents or skill groups changed; the replica reads them again from the store.
    package enum Kind: String, Codable, Sendable { case conversation, delivery, agent, directory }
    package var kind: Kind
    package var conversation: ConversationKey?
    package var agents: [AgentID]
    package var queueGroups: [SkillGroupID]
}

/// One change a signed-in page may need to show: a conversation it is part of changed (a
/// message, an offer, a transfer, a delivery state), or the queue of one of its groups moved.
package struct DeskChange: Sendable, Equatable {
    /// Increases by one per change in this process; pages resume from it (`Last-Event-ID`).
    package var id: UInt64
    package var conversation: ConversationKey?
    package var queueGroups: Set<SkillGroupID>
    /// Not a change: the periodic nudge that lets a page's connection notice it is gone.
    package var isKeepAlive = false
}

/// One page's subscription: its changes, and how to end it (when the service stops).
package struct ChangeSubscription: Sendable {
    package let changes: AsyncStream<DeskChange>
    fileprivate let continuation: AsyncStream<DeskChange>.Continuation

    package func end() { continuation.finish() }
}

/// Live notifications for the workbench, published after each commit of this process.
///
/// An agent's page hears only changes of conversations it is part of (it holds, was offered or
/// last served the session, before or after the change) and of its groups' queues; a website
/// visitor's page hears only its own conversation. A change
/// carries no content: the page reads the state it may see through its API, so a missed or
/// repeated notification never loses or doubles anything.
package final class ChangeFeed: Sendable {
    private struct Subscriber {
        /// An agent's page (its conversations and its groups' queues), a scoped console (its
        /// groups' agents and queues), or a visitor's (one conversation).
        enum Audience {
            case team(Set<AgentID>, groups: Set<SkillGroupID>)
            case conversation(ConversationKey)
            /// The console: every change.
            case everything
        }
        let audience: Audience
        let continuation: AsyncStream<DeskChange>.Continuation

        func wants(_ key: ConversationKey?, agents: Set<AgentID>, queueGroups: Set<SkillGroupID>) -> Bool {
            switch audience {
            case .team(let team, let groups): !team.isDisjoint(with: agents) || !groups.isDisjoint(with: queueGroups)
            case .conversation(let conversation): conversation == key
            case .everything: true
            }
        }
    }
    private struct State {
        var lastId: UInt64 = 0
        var nextSubscriber = 0
        var subscribers: [Int: Subscriber] = [:]
        /// Who was last part of each conversation, for changes that carry no state (deliveries).
        var involved: [ConversationKey: Set<AgentID>] = [:]
        /// Where this replica's own changes go for the others to hear, when replicas share a database.
        var outgoing: AsyncStream<ChangeNote>.Continuation?
    }
    private let state = Mutex(State())
    private static let rememberedConversations = 10_000

    package init() {}

    package var lastId: UInt64 { state.withLock { $0.lastId } }
    package var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// The conversations a visitor's page follows on this replica right now (an open chat page).
    package var watchedConversations: Set<ConversationKey> {
        state.withLock { s in
            Set(s.subscribers.values.compactMap { if case .conversation(let key) = $0.audience { key } else { nil } })
        }
    }

    /// A conversation changed; `agents` are those part of it before or after the change.
    package func conversationChanged(_ key: ConversationKey, agents: Set<AgentID>, queueGroups: Set<SkillGroupID> = []) {
        publish(key, agents: agents, queueGroups: queueGroups, remember: true)
        forward(ChangeNote(kind: .conversation, conversation: key, agents: agents.sorted { $0.rawValue < $1.rawValue }, queueGroups: queueGroups.sorted()))
    }

    /// This replica's changes, for the others (PostgreSQL `NOTIFY`); only one consumer.
    package func outgoing() -> AsyncStream<ChangeNote> {
        let (stream, continuation) = AsyncStream<ChangeNote>.makeStream(bufferingPolicy: .bufferingNewest(4_096))
        state.withLock { $0.outgoing = continuation }
        return stream
    }

    /// A change another replica made: told to this replica's pages, not forwarded again.
    package func received(_ note: ChangeNote) {
        switch note.kind {
        case .conversation:
            if let key = note.conversation { publish(key, agents: Set(note.agents), queueGroups: Set(note.queueGroups), remember: true) }
        case .delivery:
            if let key = note.conversation { publish(key, agents: nil, queueGroups: [], remember: false) }
        case .agent:
            for agent in note.agents { tellAgent(agent) }
        case .directory:
            tellEveryone()
        }
    }

    /// The agents or skill groups changed (the console or the Cloud API changed them): every page
    /// reads again, and the other replicas read the directory again.
    package func directoryChanged() {
        tellEveryone()
        forward(ChangeNote(kind: .directory, conversation: nil, agents: [], queueGroups: []))
    }

    private func tellEveryone() {
        state.withLock { s in
            s.lastId += 1
            let change = DeskChange(id: s.lastId, conversation: nil, queueGroups: [])
            for subscriber in s.subscribers.values { subscriber.continuation.yield(change) }
        }
    }

    private func forward(_ note: ChangeNote) {
        _ = state.withLock { $0.outgoing }?.yield(note)
    }

    /// An agent's status or sign-in changed (the console set it): its pages and the console read again.
    package func agentChanged(_ agent: AgentID) {
        tellAgent(agent)
        forward(ChangeNote(kind: .agent, conversation: nil, agents: [agent], queueGroups: []))
    }

    private func tellAgent(_ agent: AgentID) {
        state.withLock { s in
            s.lastId += 1
            let change = DeskChange(id: s.lastId, conversation: nil, queueGroups: [])
            for subscriber in s.subscribers.values where subscriber.wants(nil, agents: [agent], queueGroups: []) {
                subscriber.continuation.yield(change)
            }
        }
    }

    /// Every change, for the console.
    package func subscribeToEverything() -> ChangeSubscription { subscribe(.everything) }

    /// Something about a conversation changed without a new state (a delivery was recorded).
    package func deliveryChanged(_ key: ConversationKey) {
        publish(key, agents: nil, queueGroups: [], remember: false)
        forward(ChangeNote(kind: .delivery, conversation: key, agents: [], queueGroups: []))
    }

    private func publish(_ key: ConversationKey, agents: Set<AgentID>?, queueGroups: Set<SkillGroupID>, remember: Bool) {
        state.withLock { s in
            var audience = agents ?? s.involved[key] ?? []
            if remember, let agents {
                audience.formUnion(s.involved[key] ?? [])
                if s.involved.count >= Self.rememberedConversations, s.involved[key] == nil { s.involved.removeAll(keepingCapacity: true) }
                s.involved[key] = agents
            }
            s.lastId += 1
            let change = DeskChange(id: s.lastId, conversation: key, queueGroups: queueGroups)
            for subscriber in s.subscribers.values where subscriber.wants(key, agents: audience, queueGroups: queueGroups) {
                subscriber.continuation.yield(change)
            }
        }
    }

    /// Changes for `agent` (and its groups' queues) from now on, until the stream is dropped.
    package func subscribe(agent: AgentID, groups: Set<SkillGroupID>) -> ChangeSubscription {
        subscribe(.team([agent], groups: groups))
    }

    /// Changes that involve any of `agents` or move a queue of `groups` (a console scoped to groups).
    package func subscribe(agents: Set<AgentID>, groups: Set<SkillGroupID>) -> ChangeSubscription {
        subscribe(.team(agents, groups: groups))
    }

    /// Changes of one conversation (a website visitor's page), from now on.
    package func subscribe(conversation: ConversationKey) -> ChangeSubscription {
        subscribe(.conversation(conversation))
    }

    /// Sends every page the keep-alive nudge: one timer for all of them (`StreamKeepAlive`), so an
    /// idle page costs its connection and one waiting loop, not a timer of its own.
    package func keepAlive() {
        state.withLock { s in
            let nudge = DeskChange(id: s.lastId, conversation: nil, queueGroups: [], isKeepAlive: true)
            for subscriber in s.subscribers.values { subscriber.continuation.yield(nudge) }
        }
    }

    private func subscribe(_ audience: Subscriber.Audience) -> ChangeSubscription {
        let (stream, continuation) = AsyncStream<DeskChange>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { s in
            s.nextSubscriber += 1
            s.subscribers[s.nextSubscriber] = Subscriber(audience: audience, continuation: continuation)
            return s.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return ChangeSubscription(changes: stream, continuation: continuation)
    }
}
