import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// The quick replies at run time (README, "Quick replies"): read by agents, edited by whoever's
/// console role opens settings; every change is audited with its before and after.
extension DeskCommands {
    /// The stored quick replies whose group or text contains `query` (case-insensitive); all without one.
    package func storedQuickReplies(matching query: String) async throws -> [StoredQuickReply] {
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        return try await runtime.store.quickReplies().filter {
            needle.isEmpty || $0.group.lowercased().contains(needle) || $0.text.lowercased().contains(needle)
        }
    }

    /// The same, by group, in the order groups first appear (the workbench's `#` list).
    package func quickReplies(matching query: String) async throws -> [DeskConfig.QuickReplyGroup] {
        var order: [String] = [], replies: [String: [String]] = [:]
        for reply in try await storedQuickReplies(matching: query) {
            if replies[reply.group] == nil { order.append(reply.group) }
            replies[reply.group, default: []].append(reply.text)
        }
        return order.map { DeskConfig.QuickReplyGroup(group: $0, replies: replies[$0] ?? []) }
    }

    package func addQuickReply(by actor: String, group: String?, text: String?) async throws -> StoredQuickReply {
        let draft = try Self.quickReply(group: group, text: text)
        guard let added = try await runtime.store.addQuickReplies([draft]).first else { throw DeskCommandError.unknownUserOrSession }
        try await audit(actor, "add_quick_reply", added, before: nil, after: added)
        return added
    }

    package func editQuickReply(by actor: String, id: Int64?, group: String?, text: String?) async throws {
        let draft = try Self.quickReply(group: group, text: text)
        guard let id else { throw DeskCommandError.badJSON("id is required") }
        let after = StoredQuickReply(id: id, group: draft.group, text: draft.text)
        guard let before = try await runtime.store.updateQuickReply(after) else { throw DeskCommandError.badJSON("there is no quick reply \(id)") }
        try await audit(actor, "edit_quick_reply", after, before: before, after: after)
    }

    package func deleteQuickReply(by actor: String, id: Int64?) async throws {
        guard let id, let removed = try await runtime.store.deleteQuickReply(id: id) else {
            throw DeskCommandError.badJSON("there is no quick reply \(id.map(String.init) ?? "")")
        }
        try await audit(actor, "delete_quick_reply", removed, before: removed, after: nil)
    }

    /// What an upload did: how many replies it added, and each refused line with why.
    package struct QuickReplyImport: Sendable {
        package var added: Int
        package var problems: [(line: Int, message: String)]
    }

    /// Adds every valid row in one transaction and reports the others by their line; audited once.
    package func importQuickReplies(by actor: String, rows: [(line: Int, group: String?, text: String?)]) async throws -> QuickReplyImport {
        var drafts: [QuickReplyDraft] = [], problems: [(line: Int, message: String)] = []
        for row in rows {
            do { drafts.append(try Self.quickReply(group: row.group, text: row.text)) } catch { problems.append((row.line, error.detail)) }
        }
        let added = drafts.isEmpty ? [] : try await runtime.store.addQuickReplies(drafts)
        if !added.isEmpty {
            try await runtime.store.appendAudit(AuditEntry(at: runtime.clock.now(), actor: actor, action: "import_quick_replies",
                                                           subject: "\(added.count) quick replies",
                                                           detail: AuditChange.json(before: "", after: added.map { "\($0.group): \($0.text)" }.joined(separator: "\n"))))
        }
        return QuickReplyImport(added: added.count, problems: problems)
    }

    /// A reply as the workbench inserts it: a group of 1 to 40 characters, a text of 1 to 3,072.
    private static func quickReply(group: String?, text: String?) throws(DeskCommandError) -> QuickReplyDraft {
        let group = (group ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...40).contains(group.count) else { throw .badJSON("group must be 1 to 40 characters") }
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.count <= 3_072 else {
            throw .badJSON("text must be 1 to 3072 characters")
        }
        return QuickReplyDraft(group: group, text: text)
    }

    private func audit(_ actor: String, _ action: String, _ reply: StoredQuickReply, before: StoredQuickReply?, after: StoredQuickReply?) async throws {
        func described(_ reply: StoredQuickReply?) -> String { reply.map { "\($0.group): \($0.text)" } ?? "" }
        try await runtime.store.appendAudit(AuditEntry(at: runtime.clock.now(), actor: actor, action: action, subject: "quick reply \(reply.id)",
                                                       detail: AuditChange.json(before: described(before), after: described(after))))
    }
}
