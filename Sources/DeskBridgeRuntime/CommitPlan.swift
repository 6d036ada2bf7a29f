import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// Turns a core step's effects into one store commit: outbound calls become outbox rows in
/// effect order, agent load changes become conditional updates.
package struct CommitPlan: Sendable {
    /// Whether session events are stored for the business server at all.
    package var sessionEventsEnabled: Bool

    package init(sessionEventsEnabled: Bool) { self.sessionEventsEnabled = sessionEventsEnabled }

    /// One computed step and the client address of the event that caused it (forwarded to the
    /// business server as `ClientIP`).
    package struct Part: Sendable {
        package var step: ConversationEngine.Step
        package var clientIP: String?
        package init(step: ConversationEngine.Step, clientIP: String?) {
            self.step = step
            self.clientIP = clientIP
        }
    }

    /// One commit for consecutive steps of one conversation: their effects in order, and the
    /// last step's state.
    package func commit(for parts: [Part], stored: StoredConversation, processedSeq: Int64?, now: Date) -> ConversationCommit {
        var outbox: [OutboxDraft] = []
        var occupy: [(agent: AgentID, limit: Int)] = []
        var release: [AgentID] = []
        var statusChanges: [(agent: AgentID, status: DeskConfig.AgentStatus)] = []
        var records: [MessageRecord] = []
        var sessions: [SessionSummary] = []
        let encoder = JSONEncoder.canonical()
        for (effect, clientIP) in parts.lazy.flatMap({ part in part.step.effects.lazy.map { ($0, part.clientIP) } }) {
            switch effect {
            case .google(let call):
                let (method, path) = call.request(conversationId: stored.key.conversationId)
                outbox.append(OutboxDraft(target: .google, method: method, path: path, body: call.body, callId: call.id))
            case .notify(let notification):
                guard sessionEventsEnabled, let body = try? encoder.encode(notification) else { continue }
                outbox.append(OutboxDraft(target: .sessionEvents, method: "POST", path: "", body: body, callId: notification.requestId,
                                          clientIP: clientIP ?? stored.lastClientIP))
            case .occupy(let agent, let limit):
                occupy.append((agent, limit))
            case .release(let agent):
                release.append(agent)
            case .requestAssignment(let request):
                guard let body = try? encoder.encode(request) else { continue }
                outbox.append(OutboxDraft(target: .assignment, method: "POST", path: "", body: body, callId: request.requestId,
                                          clientIP: clientIP ?? stored.lastClientIP))
            case .setAgentStatus(let agent, let status):
                statusChanges.append((agent, status))
            case .record(let record):
                records.append(record)
            case .archive(let summary):
                sessions.append(summary)
            case .callInterface(let call, let session):
                guard let body = try? encoder.encode(InterfaceCallJob(session: session, call: call)) else { continue }
                outbox.append(OutboxDraft(target: .interface, method: "POST", path: "", body: body,
                                          callId: "if-\(Hex.ref12(session.rawValue))-\(call.callId)"))
            }
        }
        let state = parts.last?.step.state ?? stored.state ?? ConversationState(key: stored.key)
        if let open = state.openSessionSummary, open != stored.state?.openSessionSummary { sessions.append(open) }
        var commit = ConversationCommit(key: stored.key, expectedVersion: stored.version, state: state, processedSeq: processedSeq,
                                        outbox: outbox, occupy: occupy, release: release, statusChanges: statusChanges, now: now)
        commit.records = records
        commit.sessions = sessions
        return commit
    }
}
