import DeskBridgeCore
import Foundation

/// Where the run-time desk settings live (README, "Desk settings"): seeded once from the YAML,
/// then changed in the console; the store wins, on every replica and across restarts.
package protocol DeskSettingsStore: Sendable {
    /// The stored settings; nil before the first start seeded them.
    func deskSettings() async throws -> DeskSettings?
    /// Stores `settings` only if none are stored; answers whether it did.
    @discardableResult
    func seedDeskSettings(_ settings: DeskSettings) async throws -> Bool
    /// Replaces the settings; answers the ones replaced.
    func saveDeskSettings(_ settings: DeskSettings) async throws -> DeskSettings?
}

extension DeskSettings {
    /// The stored form: one JSON document.
    package var stored: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }

    /// A stored document; one this version cannot read is `StoreError.corrupt`, never the YAML's.
    package static func stored(_ json: String) throws(StoreError) -> DeskSettings {
        guard let settings = try? JSONDecoder().decode(DeskSettings.self, from: Data(json.utf8)) else { throw .corrupt("the stored desk settings are unreadable") }
        return settings
    }
}
