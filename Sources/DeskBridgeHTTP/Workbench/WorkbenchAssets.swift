import Foundation
import Hummingbird

/// The workbench's page, styles and ES modules (`Public/workbench`, no build step): nothing from
/// another origin, not framed.
enum WorkbenchAssets {
    static let policy = "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// Read once; the SDK's script (`sdk.js`) is served from here too, around a sign-in.
    static let assets = PageAssets(folder: "workbench")

    static func register(on router: Router<DeskRequestContext>) {
        router.get("/workbench") { _, _ in assets.response("index.html", policy: policy) }
        router.get("/workbench/assets/:file") { _, context in
            // sdk.js is served only around a sign-in, at an SdkURL.
            guard let name = context.parameters.get("file"), name != "index.html", name != "sdk.js" else { return Response(status: .notFound) }
            return assets.response(name, policy: policy)
        }
    }
}
