import Foundation

/// A business's own web page on another site (127.0.0.2, so another origin than DeskBridge's
/// 127.0.0.1), served by Python's `http.server` from a folder of the test's.
package final class HostPage: Sendable {
    private let process: Process
    package let origin: String

    /// Serves `html` as `/index.html` from `folder` on `port` (else a free one) of 127.0.0.2.
    package init(html: String, in folder: URL, port fixedPort: Int? = nil) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try html.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let port = try fixedPort ?? FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.2", "--directory", folder.path, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        origin = "http://127.0.0.2:\(port)"
        let page = origin + "/index.html"
        guard try await eventually(timeout: .seconds(15), { (try? await HTTP.get(page))?.status == 200 }) else {
            process.terminate()
            throw WebDriver.Failure(description: "the host page server did not start")
        }
    }

    package var url: String { origin + "/index.html" }

    /// Ends the server. Call when the test is done (deinitializers may not run before the test process exits).
    package func stop() {
        guard process.isRunning else { return }
        // SIGKILL: a child of the test process may inherit SIGTERM ignored; the server keeps no state.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
