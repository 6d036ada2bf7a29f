import Foundation
import Synchronization

/// The real `deskbridge serve` executable, started as a child process on a free port.
package final class ServiceProcess: Sendable {
    private let process: Process
    private let output = TextBuffer()
    package let port: Int

    /// The built executable: `$DESKBRIDGE_BIN`, else `.build/debug/deskbridge` in this package.
    package static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["DESKBRIDGE_BIN"] { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/deskbridge")
    }

    /// This package's folder.
    package static var packageRoot: URL {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root
    }

    /// Starts `deskbridge serve --config <configPath>` and waits until it listens.
    /// `environment` is added to this process's own (e.g. `DESKBRIDGE_REPLICA_ID`).
    package init(configPath: String, environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        let (lines, continuation) = AsyncStream<String>.makeStream()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
                handle.readabilityHandler = nil
                return
            }
            let text = String(decoding: data, as: UTF8.self)
            output.append(text)
            continuation.yield(text)
        }
        try process.run()
        self.process = process
        let port = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var seen = ""
                for await chunk in lines {
                    seen += chunk
                    if let range = seen.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                        return Int(seen[range].split(separator: ":").last!)
                    }
                }
                return nil
            }
            group.addTask {
                try await ContinuousClock().sleep(for: timeout)
                return nil
            }
            let found = try await group.next() ?? nil
            group.cancelAll()
            return found
        }
        guard let port else {
            process.terminate()
            throw Failure(output: output.text)
        }
        self.port = port
    }

    package struct Failure: Error, CustomStringConvertible {
        package var output: String
        package var description: String { "deskbridge did not start:\n\(output)" }
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }
    package var log: String { output.text }

    /// `kill -9`: no graceful anything.
    package func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGHUP: the service reads its configuration file again.
    package func hangUp() {
        kill(process.processIdentifier, SIGHUP)
    }

    /// SIGTERM and wait for the exit status.
    @discardableResult
    package func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Text appended from a pipe handler and read by the test.
final class TextBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}
