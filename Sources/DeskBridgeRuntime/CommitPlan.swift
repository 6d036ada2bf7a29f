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

    /// An effect that could not be turned into its outbox row. The whole step is refused, so a
    /// conversation never commits with one of its calls silently missing.
    package struct EncodingFailure: Error, CustomStringConvertible {
        package var effect: String
        package var reason: String
        package var description: String { "the \(effect) of this step cannot be encoded (\(reason)); nothing was committed" }
    }

    /// One commit for consecutive steps of one conversation: their effects in order, and the
    /// last step's state.
    package func commit(for parts: [Part], stored: StoredConversation, processedSeq: Int64?, now: Date) throws(EncodingFailure) -> ConversationCommit {
        var outbox: [OutboxDraft] = []
        var occupy: [(agent: AgentID, limit: Int)] = []
        var release: [AgentID] = []
        var statusChanges: [(agent: AgentID, status: DeskConfig.AgentStatus)] = []
        var records: [MessageRecord] = []
        var sessions: [SessionSummary] = []
        let encoder = JSONEncoder.canonical()
        func encode(_ value: some Encodable, _ effect: String) throws(EncodingFailure) -> Data {
            do { return try encoder.encode(value) } catch { throw EncodingFailure(effect: effect, reason: "\(error)") }
        }
        for (effect, clientIP) in parts.lazy.flatMap({ part in part.step.effects.lazy.map { ($0, part.clientIP) } }) {
            switch effect {
            case .google(let call):
                let (method, path) = call.request(conversationId: stored.key.conversationId)
                let body: Data
                do { body = try call.encodedBody() } catch { throw EncodingFailure(effect: "Google call \(call.id)", reason: "\(error)") }
                outbox.append(OutboxDraft(target: .google, method: method, path: path, body: body, callId: call.id))
            case .notify(let notification):
                guard sessionEventsEnabled else { continue }
                let body = try encode(notification, "session event \(notification.Event)")
                outbox.append(OutboxDraft(target: .sessionEvents, method: "POST", path: "", body: body, callId: notification.requestId,
                                          clientIP: clientIP ?? stored.lastClientIP))
            case .occupy(let agent, let limit):
                occupy.append((agent, limit))
            case .release(let agent):
                release.append(agent)
            case .requestAssignment(let request):
                let body = try encode(request, "assignment request")
                outbox.append(OutboxDraft(target: .assignment, method: "POST", path: "", body: body, callId: request.requestId,
                                          clientIP: clientIP ?? stored.lastClientIP))
            case .setAgentStatus(let agent, let status):
                statusChanges.append((agent, status))
            case .record(let record):
                records.append(record)
            case .archive(let summary):
                sessions.append(summary)
            case .callInterface(let call, let session):
                let body = try encode(InterfaceCallJob(session: session, call: call), "interface call \(call.callId)")
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
