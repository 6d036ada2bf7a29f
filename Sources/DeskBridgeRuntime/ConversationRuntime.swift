import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Logging
import Metrics
import Synchronization

/// The shell around the conversation engine: load → compute → commit, retried on conflict.
///
/// Every change to a conversation, whether from a webhook or a desk command, goes through
/// `apply`, so the version check in the store serialises them per conversation, also across
/// processes sharing one database.
package final class ConversationRuntime: Sendable {
    package let store: any DeskStore
    /// The engine of the moment: a flow reload swaps it; each step reads it once.
    package var engine: ConversationEngine { current.withLock { $0 } }
    private let current: Mutex<ConversationEngine>
    package let clock: WallClock
    /// Wakes the delivery workers after a commit that stored outbound calls.
    package let deliveries: WorkSignal
    /// Wakes the processor after an ingest, or when capacity frees up for the queue.
    package let processing: WorkSignal
    /// Tells signed-in workbench pages what changed (in this process).
    package let changes: ChangeFeed
    private let plan: CommitPlan
    package let logger: Logger

    package init(store: any DeskStore, config: DeskBridgeConfig, clock: WallClock, logger: Logger,
                 deliveries: WorkSignal = WorkSignal(), processing: WorkSignal = WorkSignal(), changes: ChangeFeed = ChangeFeed()) {
        self.store = store
        self.current = Mutex(ConversationEngine(config: config))
        self.clock = clock
        self.logger = logger
        self.deliveries = deliveries
        self.processing = processing
        self.changes = changes
        self.plan = CommitPlan(sessionEventsEnabled: config.desk.callbacks.sessionEvents.url != nil)
    }

    /// Seeds the agents and skill groups from the configuration on the first start, then runs on
    /// the stored ones (stored statuses win) and brings the routing rows in line with them.
    package func loadDirectory() async throws {
        try await store.seedDeskDirectory(DeskDirectory(engine.config.desk))
        guard let directory = try await store.deskDirectory() else { throw StoreError.corrupt("the agent directory was seeded but cannot be read") }
        adopt(directory)
        try await store.seedAgents(directory.seeds)
    }

    /// Reads the stored directory again (another replica changed it).
    package func reloadDirectory() async throws {
        guard let directory = try await store.deskDirectory() else { return }
        adopt(directory)
    }

    /// Runs on `directory` from now on (it was just stored, here or by another replica).
    package func adopt(_ directory: DeskDirectory) {
        current.withLock { $0 = $0.adopting(directory) }
        processing.signal()
    }

    /// Seeds the desk settings and the quick replies from the configuration on the first start;
    /// afterwards the store wins.
    package func seedDeskSettings() async throws {
        try await store.seedDeskSettings(DeskSettings(engine.config.desk))
    }

    /// Seeds the quick replies from the configuration on the first start; afterwards the store wins.
    package func seedQuickReplies() async throws {
        try await store.seedQuickReplies(engine.config.desk.quickReplies.flatMap { group in group.replies.map { QuickReplyDraft(group: group.group, text: $0) } })
    }

    // MARK: - Inbound processing

    /// Processes every accepted webhook not yet processed, in order per conversation.
    /// Returns how many were processed.
    @discardableResult
    package func processPending(batch: Int = 64) async throws -> Int {
        var total = 0
        while true {
            let keys = try await store.conversationsWithPendingInbound(limit: batch)
            if keys.isEmpty { return total }
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for key in keys { group.addTask { try await self.processConversation(key) } }
                return try await group.reduce(0, +)
            }
            total += counts
            if counts == 0 { return total }
        }
    }

    /// Processes one conversation's pending webhooks in `seq` order, several per commit.
    package func processConversation(_ key: ConversationKey) async throws -> Int {
        var processed = 0
        while true {
            let run = try await processNext(key)
            processed += run.count
            // A run that took every pending event it read leaves nothing behind that it saw;
            // events that arrived since are found by the caller's next pass, without reading again here.
            guard run.mayHaveMore else { return processed }
        }
    }

    /// The most pending events one commit carries, so a conversation that fell behind catches
    /// up in few commits while one commit's effects stay small.
    private static let eventsPerCommit = 32

    /// Computes and commits the next run of pending events; returns how many (0 when none), and
    /// whether pending events it read (or did not read, past the limit) were left for another run.
    ///
    /// Events are computed without a routing snapshot. The first one that needs routing ends the
    /// run: it goes first in a run of its own, computed with a fresh snapshot, so every routing
    /// decision sees the agents as the commits before it left them.
    private func processNext(_ key: ConversationKey) async throws -> (count: Int, mayHaveMore: Bool) {
        for _ in 0..<Self.maxAttempts {
            guard let (stored, events) = try await store.conversationWithPending(key, limit: Self.eventsPerCommit), !events.isEmpty else { return (0, false) }
            let now = clock.now()
            // One engine for the whole run, so a flow reload never splits a run between versions.
            let engine = self.engine
            var run = Run(stored: stored)
            for event in events {
                if stored.blocked, !event.isInternal {
                    run.append(blocked(event, state: run.state), event)
                    continue
                }
                let step = process(event, engine: engine, state: run.state, context: .init(now: now, routing: nil))
                if !step.needsRouting {
                    run.append(step, event)
                    continue
                }
                if run.parts.isEmpty {
                    run.append(process(event, engine: engine, state: run.state, context: .init(now: now, routing: try await store.routingSnapshot())), event)
                }
                break
            }
            if case let dropped = run.dropped, !dropped.isEmpty {
                logger.notice("desk message kinds with no Google rendering", metadata: ["conversation": "\(key)", "src": "\(dropped)"])
            }
            let commit = try planned(key) { () throws(CommitPlan.EncodingFailure) in
                try plan.commit(for: run.parts, stored: stored, processedSeq: run.lastSeq, now: now)
            }
            if try await self.commit(commit, effects: run.parts.flatMap(\.step.effects), before: stored.state) {
                return (run.parts.count, run.parts.count < events.count || events.count == Self.eventsPerCommit)
            }
        }
        throw StoreError.unavailable("conversation \(key) kept changing; will retry")
    }

    /// Consecutive pending events of one conversation, computed one after the other.
    private struct Run {
        var state: ConversationState?
        var parts: [CommitPlan.Part] = []
        /// The last event's `seq`: the commit marks everything up to it processed.
        var lastSeq: Int64?

        init(stored: StoredConversation) { state = stored.state }

        var dropped: [String] { parts.flatMap(\.step.dropped) }

        mutating func append(_ step: ConversationEngine.Step, _ event: InboundRecord) {
            state = step.state
            parts.append(.init(step: step, clientIP: event.clientIP))
            lastSeq = event.seq
        }
    }

    private func process(_ event: InboundRecord, engine: ConversationEngine, state: ConversationState?, context: ConversationEngine.Context) -> ConversationEngine.Step {
        if event.isInternal {
            guard let ownEvent = try? JSONDecoder().decode(InternalEvent.self, from: event.body) else {
                return skip(event, state: state, why: "internal event does not decode")
            }
            return engine.handle(ownEvent, state: state ?? ConversationState(key: event.conversation), context: context)
        }
        switch Result(catching: { () throws(WebhookDecodingError) in try WebhookBody.decode(event.body) }) {
        case .success(.event(let webhook)):
            return engine.handle(webhook, state: state, context: context)
        case .success(.handshake):
            return skip(event, state: state, why: "stored webhook is a handshake")
        case .failure(let problem):
            // Ingest validated it, so this is a bug or an older version's row; never retried forever.
            return skip(event, state: state, why: "stored webhook does not decode (\(problem))")
        }
    }

    /// A blocked user's webhook: kept in the log (it was answered 200), marked processed, and
    /// nothing else: no flow, no agent, no callback.
    private func blocked(_ event: InboundRecord, state: ConversationState?) -> ConversationEngine.Step {
        Counter(label: "deskbridge_blocked_webhooks_total").increment()
        logger.info("webhook from a blocked user kept, not served", metadata: ["conversation": "\(event.conversation)", "seq": "\(event.seq)"])
        return .init(state: state ?? ConversationState(key: event.conversation), effects: [], sent: nil)
    }

    private func skip(_ event: InboundRecord, state: ConversationState?, why: String) -> ConversationEngine.Step {
        logger.error("\(why); skipped", metadata: ["conversation": "\(event.conversation)", "seq": "\(event.seq)"])
        return .init(state: state ?? ConversationState(key: event.conversation), effects: [], sent: nil)
    }

    /// Replaces the flows for sessions that start from now on; running sessions keep theirs.
    /// Answers the version now current.
    @discardableResult
    package func reloadFlows(_ flows: FlowsConfig) -> String {
        current.withLock { $0 = $0.reloading(flows) }
        processing.signal()
        return flows.version
    }

    // MARK: - Desk-side changes

    /// Applies a desk command to a conversation; retried on conflict with fresh state.
    package func apply(
        to key: ConversationKey,
        _ compute: (ConversationState, ConversationEngine.Context) throws(DeskCommandError) -> ConversationEngine.Step
    ) async throws -> ConversationEngine.Step {
        for _ in 0..<Self.maxAttempts {
            guard let stored = try await store.conversation(key), let state = stored.state else { throw DeskCommandError.unknownUserOrSession }
            let context = ConversationEngine.Context(now: clock.now(), routing: try await store.routingSnapshot())
            let step = try compute(state, context)
            if step.effects.isEmpty, step.state == state { return step }  // nothing changed; no write
            let commit = try planned(key) { () throws(CommitPlan.EncodingFailure) in
                try plan.commit(for: [.init(step: step, clientIP: nil)], stored: stored, processedSeq: nil, now: context.now)
            }
            if try await self.commit(commit, effects: step.effects, before: state) { return step }
        }
        throw StoreError.unavailable("conversation \(key) kept changing")
    }

    /// Offers free capacity to queued sessions, oldest first, and tells those still waiting
    /// their new position. Runs on every wake-up and poll, so no session is left waiting while
    /// an agent has room, even after a restart.
    ///
    /// FIFO per group: once an older session of a group could not be assigned in a pass, younger
    /// ones of that group wait too, even if capacity frees up during the pass (the release wakes
    /// another pass, which starts again from the oldest).
    package func drainQueue() async throws {
        var positions: [SkillGroupID: Int] = [:]
        for key in try await store.queuedConversations(limit: 1_000) {
            let step = try await apply(to: key) { state, context in
                guard let queue = state.queuePosition else { return .init(state: state, effects: [], sent: nil) }
                let position = (positions[queue.group] ?? 0) + 1
                if positions[queue.group] != nil {
                    return engine.announcePosition(state: state, position: position, context: context)
                }
                return engine.retryAssignment(state: state, position: position, context: context)
            }
            if let queue = step.state.queuePosition { positions[queue.group, default: 0] += 1 }
        }
    }

    /// Fires due timers (offer deadlines) on the conversations that have them.
    package func fireTimers() async throws {
        for key in try await store.conversationsWithDueTimers(now: clock.now(), limit: 256) {
            _ = try await apply(to: key) { state, context in engine.tick(state: state, context: context) }
        }
    }

    // MARK: - Commit

    /// `deskbridge_assignment_decisions_total{strategy,outcome}`, from the transfer events of a committed step.
    private func countAssignmentDecisions(_ effects: [ConversationEffect]) {
        for case .notify(let event) in effects {
            let outcome: String
            switch event.Event {
            case "Transfer.Succeeded": outcome = "assigned"
            case "Transfer.Queued": outcome = "queued"
            case "Transfer.Failed": outcome = "failed"
            default: continue
            }
            Counter(label: "deskbridge_assignment_decisions_total",
                    dimensions: [("strategy", engine.config.desk.assignment.strategy.rawValue), ("outcome", outcome)]).increment()
        }
    }

    /// One `info` line per session start, handoff and end, so a person watching the log sees the desk work.
    private func logMilestones(_ effects: [ConversationEffect], key: ConversationKey) {
        for case .notify(let event) in effects {
            let line: Logger.Message
            switch event.Event {
            case "SessionBegin": line = "session started"
            case "Transfer.Succeeded": line = "session handed to an agent"
            case "Agent.Reassigned": line = "session transferred to another agent"
            case "SessionEnd", "SessionTimeout": line = "session ended"
            default: continue
            }
            var metadata: Logger.Metadata = ["session": "\(event.SessionId)", "channel": "\(event.ChannelType)", "conversation": "\(key)"]
            if !event.AgentId.isEmpty { metadata["agent"] = "\(event.AgentId)" }
            if event.Event == "SessionTimeout" { metadata["reason"] = "timeout" }
            logger.info(line, metadata: metadata)
        }
    }

    private static let maxAttempts = 32

    /// `deskbridge_step_failures_total{reason="encoding"}`: steps refused because an effect could not be encoded.
    private static let encodingFailures = Counter(label: "deskbridge_step_failures_total", dimensions: [("reason", "encoding")])

    /// Plans a commit; a step whose effects cannot all be encoded is logged, counted and not committed.
    private func planned(_ key: ConversationKey, _ build: () throws(CommitPlan.EncodingFailure) -> ConversationCommit) throws -> ConversationCommit {
        do {
            return try build()
        } catch {
            logger.error("step not committed", metadata: ["conversation": "\(key)", "error": "\(error)"])
            Self.encodingFailures.increment()
            throw error
        }
    }

    /// True when committed; false when the conversation changed underneath (recompute).
    private func commit(_ commit: ConversationCommit, effects: [ConversationEffect], before: ConversationState?) async throws -> Bool {
        do {
            try await store.commit(commit)
        } catch StoreError.conflict {
            return false
        } catch StoreError.agentUnavailable {
            return false
        }
        if !commit.outbox.isEmpty { deliveries.signal() }
        if !commit.release.isEmpty { processing.signal() }
        countAssignmentDecisions(effects)
        logMilestones(effects, key: commit.key)
        changes.conversationChanged(commit.key, agents: Self.agents(in: before).union(Self.agents(in: commit.state)),
                                    queueGroups: Set([before?.queuePosition?.group, commit.state.queuePosition?.group].compactMap { $0 }))
        return true
    }

    /// The agents part of a conversation: holding, offered, or its last agent.
    private static func agents(in state: ConversationState?) -> Set<AgentID> {
        let ownership = state?.session?.ownership
        return Set([ownership?.holder, ownership?.offeree, state?.lastAgentId].compactMap { $0 })
    }
}
