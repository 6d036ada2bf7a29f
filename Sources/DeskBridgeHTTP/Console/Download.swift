import Foundation
import Hummingbird
import NIOCore

/// What the console's exports share: RFC 4180 CSV (every field quoted, quotes doubled, CRLF
/// lines) and the download response around it.
enum Download {
    static func csv(header: [String], rows: [[String]]) -> String {
        func line(_ fields: [String]) -> String { fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
        return ([line(header)] + rows.map(line)).joined(separator: "\r\n") + "\r\n"
    }

    static func response(_ text: String, type: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
