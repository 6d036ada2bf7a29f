import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Hummingbird
import NIOCore

/// Pictures a website visitor sends: `POST /web/im/api/uploads` takes the raw bytes of a PNG,
/// JPEG, GIF or WebP (the type checked against the bytes, at most `uploadMaxBytes`), keeps them
/// in the store and answers the path `/web/im/files/<id>` under which they are served: a 256-bit
/// random id, the only key to the file. The page then sends that URL as the visitor's picture.
struct WebUploads: Sendable {
    let routes: WebChannelRoutes

    func register(on router: Router<DeskRequestContext>) {
        router.post("/web/im/api/uploads") { request, context in try await upload(request, peer: context.peerAddress) }
        router.get("/web/im/files/:id") { _, context in
            guard let id = context.parameters.get("id"), Self.isId(id), let file = try await routes.runtime.store.upload(id: id) else {
                return SignedInAPI.refusal(.notFound, "no such file")
            }
            return Response(status: .ok, headers: [
                .contentType: file.contentType, .contentSecurityPolicy: "default-src 'none'; sandbox", .init("X-Content-Type-Options")!: "nosniff",
                .cacheControl: "private, max-age=31536000, immutable", .init("Referrer-Policy")!: "no-referrer",
                .init("Cross-Origin-Resource-Policy")!: "cross-origin",
            ], body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }

    /// The picture types taken, by their first bytes.
    static func pictureType(_ bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    static func isId(_ text: String) -> Bool { text.count == 64 && text.allSatisfy(\.isHexDigit) }

    static func isFilePath(_ path: String) -> Bool {
        path.hasPrefix(filePrefix) && isId(String(path.dropFirst(filePrefix.count)))
    }

    static let filePrefix = "/web/im/files/"

    /// A picture URL the website channel takes and shows: https:, or one of DeskBridge's own
    /// upload URLs (over http on a plain deployment).
    static func isPictureURL(_ text: String) -> Bool {
        guard text.count <= 2_048, let url = URL(string: text), url.host != nil, !text.contains(where: \.isWhitespace) else { return false }
        if url.scheme == "https" { return true }
        return url.scheme == "http" && isFilePath(url.path)
    }

    private func upload(_ request: Request, peer: String?) async throws -> Response {
        try await routes.asVisitor(request) { visitor in try await upload(request, peer: peer, visitor: visitor) }
    }

    private func upload(_ request: Request, peer: String?, visitor: WebVisitor) async throws -> Response {
        var request = request
        let declared = request.headers[.contentType].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        guard let declared, ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(declared) else {
            return SignedInAPI.refusal(.unsupportedMediaType, "send a PNG, JPEG, GIF or WebP picture as the body, with its Content-Type")
        }
        if let refusal = routes.limited(visitor, request, peer: peer) { return refusal }
        let limit = visitor.channel.uploadMaxBytes
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch { return SignedInAPI.refusal(.contentTooLarge, "a picture may be at most \(limit) bytes") }
        let bytes = Data(buffer: body)
        guard let actual = Self.pictureType(bytes), actual == declared else {
            return SignedInAPI.refusal(.unsupportedMediaType, "the body is not a \(declared.dropFirst("image/".count).uppercased()) picture")
        }
        var random = SystemRandomNumberGenerator()
        let id = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) })
        do {
            try await routes.runtime.store.putUpload(StoredUpload(id: id, conversation: visitor.key, contentType: actual, bytes: bytes, createdAt: routes.runtime.clock.now()))
        } catch {
            return SignedInAPI.refusal(.serviceUnavailable, "storage unavailable; retry later")
        }
        return try SignedInAPI.json(["path": Self.filePrefix + id])
    }
}
