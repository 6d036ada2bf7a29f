import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 standing in for something off this machine (the Google API,
/// the business server, a token endpoint). It records every request and answers from a script.
package final class StandInServer: Sendable {
    package struct Recorded: Sendable, Equatable {
        package var method: String
        package var path: String
        package var query: String
        /// Header names in lower case.
        package var headers: [String: String]
        package var body: Data

        package var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        package func queryValue(_ name: String) -> String? {
            URLComponents(string: "http://x/?" + query)?.queryItems?.first { $0.name == name }?.value
        }
    }

    /// How the stand-in answers one request.
    package enum Reply: Sendable {
        case status(Int, String = "{}")
        /// Never answers (until the server stops): the caller's deadline must fire.
        case hang
    }

    private struct State {
        var recorded: [Recorded] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state = Mutex(State())
    private let script: Mutex<@Sendable (Recorded, Int) -> Reply>
    /// Keeps hanging handlers parked; finished when the server stops.
    private let parked: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    package private(set) var port: Int {
        get { portBox.withLock { $0 } }
        set { portBox.withLock { $0 = newValue } }
    }
    private let portBox = Mutex(0)

    private init(script: @escaping @Sendable (Recorded, Int) -> Reply) {
        self.script = Mutex(script)
        self.parked = AsyncStream<Void>.makeStream()
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }
    package var requests: [Recorded] { state.withLock { $0.recorded } }

    /// Replaces the script; `index` counts requests from 0.
    package func answer(_ script: @escaping @Sendable (Recorded, Int) -> Reply) {
        self.script.withLock { $0 = script }
    }

    /// Waits until at least `count` requests have arrived, or the deadline passes.
    @discardableResult
    package func waitForRequests(_ count: Int, timeout: Duration = .seconds(20)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready = self.state.withLock { s -> Bool in
                        if s.recorded.count >= count { return true }
                        s.waiters.append((count, continuation))
                        return false
                    }
                    if ready { continuation.resume(returning: true) }
                }
            }
            group.addTask {
                try? await ContinuousClock().sleep(for: timeout)
                self.releaseWaiters(all: true)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            self.releaseWaiters(all: true)
            return first && self.requests.count >= count
        }
    }

    private func record(_ request: Recorded) -> Int {
        let (index, ready) = state.withLock { s -> (Int, [CheckedContinuation<Bool, Never>]) in
            s.recorded.append(request)
            let ready = s.waiters.filter { $0.count <= s.recorded.count }.map(\.continuation)
            s.waiters.removeAll { $0.count <= s.recorded.count }
            return (s.recorded.count - 1, ready)
        }
        ready.forEach { $0.resume(returning: true) }
        return index
    }

    private func releaseWaiters(all: Bool) {
        let waiting = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            defer { s.waiters.removeAll() }
            return s.waiters.map(\.continuation)
        }
        waiting.forEach { $0.resume(returning: false) }
    }

    /// Runs a stand-in for the duration of `body`, then stops it.
    package static func with<T: Sendable>(
        _ script: @escaping @Sendable (Recorded, Int) -> Reply = { _, _ in .status(200) },
        _ body: @Sendable (StandInServer) async throws -> T
    ) async throws -> T {
        let server = StandInServer(script: script)
        let router = Router()
        router.on("**", method: .post) { request, context in try await server.handle(request, context) }
        router.on("**", method: .patch) { request, context in try await server.handle(request, context) }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: Self.quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            server.port = await iterator.next() ?? 0
            defer {
                server.parked.continuation.finish()
                group.cancelAll()
            }
            return try await body(server)
        }
    }

    /// Stand-ins keep quiet: their own start and stop are not news.
    private static var quietLogger: Logger {
        var logger = Logger(label: "standin")
        logger.logLevel = .critical
        return logger
    }

    private func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 4 * 1_024 * 1_024)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recorded = Recorded(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                headers: headers, body: Data(body.readableBytesView))
        let index = record(recorded)
        switch script.withLock({ $0 })(recorded, index) {
        case .status(let status, let text):
            return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        case .hang:
            for await _ in parked.stream {}
            return Response(status: .serviceUnavailable)
        }
    }
}
