import DeskBridgeCore
import Foundation

/// Where the quick replies live once the desk runs (README, "Quick replies"): `desk.quickReplies`
/// seeds them on the first start; afterwards the console edits them here and the store wins, on
/// every replica and across restarts.
package protocol QuickReplyStore: Sendable {
    /// Every quick reply, in the order they were added.
    func quickReplies() async throws -> [StoredQuickReply]
    /// Stores `replies` only if the quick replies were never seeded before; answers whether it did.
    @discardableResult
    func seedQuickReplies(_ replies: [QuickReplyDraft]) async throws -> Bool
    /// Adds replies in one transaction; answers them with their ids.
    func addQuickReplies(_ replies: [QuickReplyDraft]) async throws -> [StoredQuickReply]
    /// Changes one reply; answers what it was before, nil when there is no such reply.
    func updateQuickReply(_ reply: StoredQuickReply) async throws -> StoredQuickReply?
    /// Removes one reply; answers what it was, nil when there is no such reply.
    func deleteQuickReply(id: Int64) async throws -> StoredQuickReply?
}

package struct QuickReplyDraft: Sendable, Equatable {
    package var group: String
    package var text: String
    package init(group: String, text: String) {
        self.group = group
        self.text = text
    }
}

package struct StoredQuickReply: Sendable, Equatable, Codable {
    package var id: Int64
    package var group: String
    package var text: String
    package init(id: Int64, group: String, text: String) {
        self.id = id
        self.group = group
        self.text = text
    }
}
