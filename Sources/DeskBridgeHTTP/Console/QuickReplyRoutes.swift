import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird

/// The quick replies in the console (settings): list and search, add, edit, delete, export as CSV.
struct QuickReplyRoutes: Sendable {
    let commands: DeskCommands
    let gate: ConsoleGate

    func register(on router: Router<DeskRequestContext>) {
        router.get("/console/api/quick-replies") { request, _ in
            if case .failure(let refusal) = try await gate.admit(request, .settings) { return refusal.response }
            let needle = (request.uri.queryParameters["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let replies = try await commands.runtime.store.quickReplies().filter {
                needle.isEmpty || $0.group.lowercased().contains(needle) || $0.text.lowercased().contains(needle)
            }
            if request.uri.queryParameters["format"] == "csv" {
                return Download.response(Download.csv(header: ["Group", "Reply"], rows: replies.map { [$0.group, $0.text] }),
                                         type: "text/csv; charset=utf-8", name: "quick-replies.csv")
            }
            return try SignedInAPI.json(replies)
        }
        gate.post(router, "/console/api/quick-replies", .settings) { signIn, _, body in
            try await commands.addQuickReply(by: signIn.agent.rawValue, group: body["group"], text: body["text"])
        }
        gate.post(router, "/console/api/quick-replies/edit", .settings) { signIn, _, body in
            try await commands.editQuickReply(by: signIn.agent.rawValue, id: body["id"].flatMap { Int64($0) }, group: body["group"], text: body["text"])
            return ["ok": true]
        }
        gate.post(router, "/console/api/quick-replies/delete", .settings) { signIn, _, body in
            try await commands.deleteQuickReply(by: signIn.agent.rawValue, id: body["id"].flatMap { Int64($0) })
            return ["ok": true]
        }
    }
}
