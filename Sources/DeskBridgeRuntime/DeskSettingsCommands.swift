import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// The run-time desk settings (README, "Desk settings"): read where they apply, changed by whoever's
/// console role opens settings, audited with their before and after.
extension DeskCommands {
    /// The settings in force: the stored ones (the YAML's before the first start stored them).
    package func settings() async throws -> DeskSettings {
        try await runtime.store.deskSettings() ?? DeskSettings(config.desk)
    }

    /// Replaces the settings after checking them; a refusal names the first problem and changes nothing.
    package func saveSettings(by actor: String, _ settings: DeskSettings) async throws {
        if let problem = settings.problems.first { throw DeskCommandError.badJSON("\(problem.key) \(problem.message)") }
        let before = try await runtime.store.saveDeskSettings(settings) ?? DeskSettings(config.desk)
        try await runtime.store.appendAudit(AuditEntry(at: runtime.clock.now(), actor: actor, action: "change_desk_settings", subject: "desk settings",
                                                       detail: AuditChange.json(before: before.stored, after: settings.stored)))
    }

    /// An agent signs in: it gets `signInStatus`, when one is set.
    package func agentSignedIn(_ agent: AgentID) async throws {
        guard let seat = try await settings().signInSeat else { return }
        try await setAgentStatus(as: .agent(agent), agentId: agent.rawValue, seat: seat)
    }
}
