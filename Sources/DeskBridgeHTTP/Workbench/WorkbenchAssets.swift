import DeskBridgeCore
import Foundation
import Hummingbird

/// The workbench's page, styles and ES modules (`Public/workbench`, no build step): nothing from
/// another origin but the third-party extensions' frames, not framed itself.
enum WorkbenchAssets {
    /// The page's Content-Security-Policy: frames only from the origins of `extensions`.
    static func policy(framing extensions: [DeskConfig.Extension]) -> String {
        let origins = extensions.filter(\.enabled).compactMap { URL(string: $0.url) }.compactMap { url -> String? in
            guard let scheme = url.scheme, let host = url.host else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        let frames = origins.isEmpty ? "" : "frame-src \(Set(origins).sorted().joined(separator: " ")); "
        return "default-src 'self'; img-src 'self' https: data:; \(frames)frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    /// Read once; the SDK's script (`sdk.js`) is served from here too, around a sign-in.
    static let assets = PageAssets(folder: "workbench")

    /// `extensions` are read for every page and asset, so a change in the console's settings
    /// frames (or stops framing) a page at its next load.
    static func register(on router: Router<DeskRequestContext>, extensions: @escaping @Sendable () async throws -> [DeskConfig.Extension]) {
        router.get("/workbench") { _, _ in assets.response("index.html", policy: policy(framing: try await extensions())) }
        router.get("/workbench/assets/:file") { _, context in
            // sdk.js is served only around a sign-in, at an SdkURL.
            guard let name = context.parameters.get("file"), name != "index.html", name != "sdk.js" else { return Response(status: .notFound) }
            return assets.response(name, policy: policy(framing: try await extensions()))
        }
    }
}
