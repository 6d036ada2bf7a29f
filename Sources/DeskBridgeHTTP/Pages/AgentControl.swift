import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation

/// An administrator's change to an agent's status, the same from the console and from the
/// Tencent Cloud API: the status is set, a forced-offline agent's pages are ended and its
/// sign-in refused (or resumed), the pages hear of it, and the change is audited.
struct AgentControl: Sendable {
    let commands: DeskCommands
    let signIns: WorkbenchSignIns
    let actor: String
    let now: @Sendable () -> Date

    enum Change: Sendable {
        case status(SeatStatus)
        case forceOffline
        case resumeOnline
    }

    func apply(_ change: Change, to agent: AgentID) async throws {
        let runtime = commands.runtime
        let before = try await runtime.store.routingSnapshot().agent(agent)?.status.rawValue ?? "unknown"
        let wasForced = try await signIns.isForcedOffline(agent)
        let seat: SeatStatus
        var action = "set_agent_status"
        switch change {
        case .status(let value): seat = value
        case .forceOffline: seat = .offline
        case .resumeOnline: seat = .free
        }
        try await commands.setAgentStatus(as: .admin, agentId: agent.rawValue, seat: seat)
        let status = seat.deskStatus.rawValue + (seat.reason.map { " (\($0))" } ?? "")
        switch change {
        case .forceOffline:
            try await signIns.forceOffline(agent, now: now())
            action = "force_offline"
        case .resumeOnline, .status:
            if seat != .offline {
                try await signIns.resume(agent, now: now())
                if wasForced { action = "resume_online" }
            }
        }
        runtime.changes.agentChanged(agent)
        try await runtime.store.appendAudit(AuditEntry(at: now(), actor: actor, action: action, subject: "agent \(agent.rawValue)",
                                                       detail: AuditChange.json(before: before, after: status)))
    }
}
