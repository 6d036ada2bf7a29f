import DeskBridgeCore
import Foundation

/// Where the desk's agents and skill groups live (README, "Agents and skill groups"): seeded once
/// from the YAML, then changed in the console or through the Cloud API; the store wins, on every
/// replica and across restarts.
///
/// Saving also brings the routing rows in line in the same transaction: every agent of the
/// directory has its groups and priorities; a disabled agent is set Offline; an agent no longer in
/// the directory is set Offline with no groups, and its row goes once it holds no session.
package protocol DeskDirectoryStore: Sendable {
    /// The stored directory; nil before the first start seeded it.
    func deskDirectory() async throws -> DeskDirectory?
    /// Stores `directory` only if none is stored; answers whether it did.
    @discardableResult
    func seedDeskDirectory(_ directory: DeskDirectory) async throws -> Bool
    /// Replaces the stored directory, if it still is `expected`, and brings the routing rows in
    /// line; `StoreError.conflict` (and nothing changed) when someone changed it first.
    func saveDeskDirectory(_ directory: DeskDirectory, replacing expected: DeskDirectory, at now: Date) async throws
}

extension DeskDirectory {
    /// The stored form: one JSON document.
    package var stored: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }

    /// A stored document; one this version cannot read is `StoreError.corrupt`, never the YAML's.
    package static func stored(_ json: String) throws(StoreError) -> DeskDirectory {
        guard let directory = try? JSONDecoder().decode(DeskDirectory.self, from: Data(json.utf8)) else {
            throw .corrupt("the stored agent directory is unreadable")
        }
        return directory
    }

    /// The routing rows the directory asks for, in its order.
    package var seeds: [AgentSeed] {
        agents.map { agent in
            AgentSeed(id: agent.id, status: agent.status, groups: Dictionary(agent.skillGroups.map { ($0.id, $0.priority) }) { a, _ in a })
        }
    }

    /// Agents whose routing rows must read Offline: the disabled ones.
    package var disabled: [AgentID] { agents.filter { !$0.enabled }.map(\.id) }
}
