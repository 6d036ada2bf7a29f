import DeskBridgeCore
import DeskBridgeHTTP
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

/// `/openapi.yaml` describes exactly the routes the service registers: none missing, none extra.
@Suite("The OpenAPI document")
struct OpenAPIDocumentTests {
    /// `METHOD /path` for every operation in the document (path parameters as `{name}`).
    static func documented() -> Set<String> {
        let text = String(decoding: OperationsRoutes.openAPIDocument, as: UTF8.self)
        var operations: Set<String> = []
        var path: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); continue }
            if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                operations.insert("\(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() throws {
        let loaded = try TestConfig.load(TestConfig.yaml(googleURL: "http://127.0.0.1:9", database: "/tmp/unused.sqlite"))
        let runtime = ConversationRuntime(store: InMemoryDeskStore(), config: loaded.config, clock: .system, logger: Logger(label: "test"))
        let router = try DeskRouter.make(runtime: runtime, config: loaded.config, registry: nil, clock: .system)
        let registered = Set(router.routes.filter { $0.method != .options }.map { route -> String in
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method) /\(path)"
        })
        let documented = Self.documented()
        #expect(documented.count > 40)
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
    }

    @Test func theServiceServesIt() async throws {
        try await AppHarness.run { app throws in
            try await app.client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
            }
        }
    }
}
