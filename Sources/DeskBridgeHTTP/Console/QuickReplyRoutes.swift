import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import SwiftCSV

/// The quick replies in the console (settings): list and search, add, edit, delete, export as
/// CSV, and upload a CSV (`Group`, `Reply`, as the template) with a report of every refused line.
struct QuickReplyRoutes: Sendable {
    let commands: DeskCommands
    let gate: ConsoleGate

    func register(on router: Router<DeskRequestContext>) {
        gate.respond(router, "/console/api/quick-replies", .settings) { _, _, request in
            let replies = try await commands.storedQuickReplies(matching: request.uri.queryParameters["q"].map(String.init) ?? "")
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
        gate.respond(router, "/console/api/quick-replies/template", .settings) { _, _, _ in
            Download.response(Download.csv(header: Self.header, rows: [["Greetings", "Hello! How can I help you today?"]]),
                                     type: "text/csv; charset=utf-8", name: "quick-replies-template.csv")
        }
        gate.post(router, "/console/api/quick-replies/import", .settings) { signIn, _, body in
            let rows = try Self.rows(try SignedInAPI.field(body, "csv"))
            let report = try await commands.importQuickReplies(by: signIn.agent.rawValue, rows: rows)
            return ImportReport(added: report.added, problems: report.problems.map { .init(row: $0.line, error: $0.message) })
        }
        gate.post(router, "/console/api/quick-replies/delete", .settings) { signIn, _, body in
            try await commands.deleteQuickReply(by: signIn.agent.rawValue, id: body["id"].flatMap { Int64($0) })
            return ["ok": true]
        }
    }

    static let header = ["Group", "Reply"]
    /// The most rows one upload takes.
    static let maxRows = 1_000

    struct ImportReport: Encodable {
        /// `row` counts the header as row 1.
        struct Problem: Encodable { var row: Int; var error: String }
        var added: Int
        var problems: [Problem]
    }

    /// The upload's rows with their numbers (the header is row 1); a file that is not CSV,
    /// has another header or too many rows is refused whole.
    static func rows(_ text: String) throws(DeskCommandError) -> [(line: Int, group: String?, text: String?)] {
        let csv: EnumeratedCSV
        do { csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false) } catch { throw .badJSON("the file is not CSV: \(error)") }
        guard csv.header.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header.map({ $0.lowercased() }) else {
            throw .badJSON("the first line must be Group,Reply (download the template)")
        }
        guard csv.rows.count <= maxRows else { throw .badJSON("at most \(maxRows) rows in one upload") }
        return csv.rows.enumerated().map { index, row in (index + 2, row.first, row.count > 1 ? row[1] : nil) }
    }
}
