import AsyncHTTPClient
import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgeServer
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Logging
import NIOCore
import Synchronization
import Yams

/// Runs a recorded conversation against a fresh in-process DeskBridge (in-memory store, manual
/// clock) with local stand-ins for the Google API and the business server, printing the
/// transcript; false (with a readable diff) on the first mismatch.
package struct ReplayRunner {
    package let output: @Sendable (String) -> Void

    package init(output: @escaping @Sendable (String) -> Void) { self.output = output }

    package enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case config(String)
        package var description: String {
            switch self {
            case .unreadable(let why): "cannot read the recording: \(why)"
            case .config(let why): "configuration: \(why)"
            }
        }
    }

    /// Replays `file`; `baseConfig` is used when the recording has no `config` of its own.
    package func run(file: String, baseConfig: String?) async throws -> Bool {
        guard let text = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw Failure.unreadable(file)
        }
        let script: ReplayScript
        do { script = try YAMLDecoder().decode(ReplayScript.self, from: text) } catch { throw Failure.unreadable("\(file): \(error)") }
        guard let configYAML = script.config ?? baseConfig else { throw Failure.config("\(file) has no config and no --config was given") }
        output("▶ \(URL(fileURLWithPath: file).lastPathComponent): \(script.description)")
        let answers = StandInAnswers()
        return try await StandInServer.with { _, _ in .status(200) } _: { google in
            try await StandInServer.with({ request, _ in answers.reply(to: request) }) { business in
                let yaml = configYAML.replacingOccurrences(of: "${standin.google}", with: google.baseURL)
                    .replacingOccurrences(of: "${standin.business}", with: business.baseURL)
                var loaded: LoadedConfig
                switch ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: file).deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment) {
                case .success(let config): loaded = config
                case .failure(let errors): throw Failure.config(errors.description)
                }
                loaded.config.server.host = "127.0.0.1"
                loaded.config.server.port = 0
                loaded.config.channel.apiBaseURL = google.baseURL
                loaded.config.desk.callbacks.sessionEvents.url = business.baseURL + "/events"
                loaded.config.desk.callbacks.assignment.url = business.baseURL + "/assign"
                let session = try ReplaySession(script: script, config: loaded.config, google: google, business: business, answers: answers, output: output)
                return try await session.run(loaded)
            }
        }
    }
}

/// What the business-server stand-in answers next, by kind.
final class StandInAnswers: Sendable {
    private let queues = Mutex<(assignment: [String], interface: [String])>(([], []))

    func push(assignment: JSONValue?, interface: JSONValue?) {
        let encode = { (value: JSONValue) in String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self) }
        queues.withLock { q in
            if let assignment { q.assignment.append(encode(assignment)) }
            if let interface { q.interface.append(encode(interface)) }
        }
    }

    func reply(to request: StandInServer.Recorded) -> StandInServer.Reply {
        switch request.path {
        case "/events": return .status(200)
        case "/assign":
            let next = queues.withLock { $0.assignment.isEmpty ? nil : $0.assignment.removeFirst() }
            return next.map { $0 == "\"hang\"" ? .hang : .status(200, $0) } ?? .status(200, #"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#)
        default:
            let next = queues.withLock { $0.interface.isEmpty ? nil : $0.interface.removeFirst() }
            return .status(200, next ?? "{}")
        }
    }
}
