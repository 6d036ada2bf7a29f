import DeskBridgeCore
import Foundation

/// Supplies the `Authorization` header for Google-style calls, or none.
package protocol TokenProvider: Sendable {
    func authorization() async throws -> String?
}

/// No `channel.auth`: calls go out without credentials.
package struct NoAuthorization: TokenProvider {
    package init() {}
    package func authorization() async throws -> String? { nil }
}

/// `channel.auth.bearerToken`: a fixed token.
package struct StaticBearerToken: TokenProvider {
    private let token: Secret
    package init(token: Secret) { self.token = token }
    package func authorization() async throws -> String? { "Bearer \(token.reveal)" }
}
