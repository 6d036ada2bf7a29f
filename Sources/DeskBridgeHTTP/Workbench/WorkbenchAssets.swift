import Foundation
import Hummingbird
import NIOCore

/// The workbench's page, styles and ES modules, as they are in `Public/workbench` (no build
/// step), read once from the target's resources and served with a strict Content-Security-Policy:
/// no inline script, nothing from another origin, not framed.
enum WorkbenchAssets {
    static let policy = "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    static func register(on router: Router<DeskRequestContext>) {
        let files = load()
        let page = files["index.html"]
        router.get("/workbench") { _, _ in page.map { response($0, "text/html; charset=utf-8") } ?? Response(status: .notFound) }
        router.get("/workbench/assets/:file") { _, context in
            guard let name = context.parameters.get("file"), let data = files[name], name != "index.html" else { return Response(status: .notFound) }
            return response(data, name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8")
        }
    }

    private static func response(_ data: Data, _ type: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: type, .contentSecurityPolicy: policy, .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "no-referrer", .cacheControl: "no-cache",
        ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// File name → contents of every file in `Public/workbench`.
    private static func load() -> [String: Data] {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Public/workbench"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var files: [String: Data] = [:]
        for name in names { files[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) }
        return files
    }
}
