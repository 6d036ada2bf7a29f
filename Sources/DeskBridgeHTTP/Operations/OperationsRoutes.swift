import Foundation
import DeskBridgeStore
import Hummingbird
import Metrics
import NIOCore
import Prometheus

/// `/healthz` (process up), `/readyz` (store reachable), `/metrics` (Prometheus text).
package struct OperationsRoutes: Sendable {
    let store: any DeskStore
    let registry: PrometheusCollectorRegistry?

    func register(on router: Router<DeskRequestContext>) {
        router.get("/healthz") { _, _ in "ok\n" }
        let openAPI = Self.openAPIDocument
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await store.ping()
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "store unavailable\n")))
            }
        }
        router.get("/metrics") { _, _ -> Response in
            guard let registry else { return Response(status: .notFound) }
            // Gauges read from the store at scrape time, so every replica reports the shared truth.
            if let pending = try? await store.pendingOutboxCount() {
                Gauge(label: "deskbridge_outbox_pending").record(pending)
            }
            if let counts = try? await store.sessionCounts() {
                for state in ["Chatbot", "Queueing", "WaitingForAgentAnswering", "Agent"] {
                    Gauge(label: "deskbridge_sessions", dimensions: [("state", state)]).record(counts[state] ?? 0)
                }
            }
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// Every endpoint the service answers, as OpenAPI 3.1 (`Public/openapi.yaml`; a test checks it against the router).
    package static let openAPIDocument: Data =
        Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Public").flatMap { try? Data(contentsOf: $0) } ?? Data()
}
