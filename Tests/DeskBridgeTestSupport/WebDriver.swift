import AsyncHTTPClient
import Foundation
import NIOCore

/// Headless Chromium (Debian's `chromium`) driven over W3C WebDriver by `chromedriver`
/// (Debian's `chromium-driver`), with a small client over HTTP: what a browser test needs and no more.
package final class WebDriver: Sendable {
    private let process: Process
    private let base: String

    package static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    package static let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    package static var isAvailable: Bool { chromium != nil && driver != nil }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package init() async throws {
        guard let driver = Self.driver else { throw Failure(description: "chromedriver not found (apt-get install chromium chromium-driver)") }
        let port = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        base = "http://127.0.0.1:\(port)"
        let ready = try await eventually(timeout: .seconds(20)) { [base] in
            ((try? await Self.request("GET", base + "/status"))?["value"] as? [String: Any])?["ready"] as? Bool == true
        }
        guard ready else { throw Failure(description: "chromedriver did not become ready") }
    }

    /// Ends chromedriver (and the browsers it started). Call when the test is done: a test process
    /// may exit without running deinitializers, which would leave them running.
    package func stop() {
        guard process.isRunning else { return }
        // chromedriver does not exit on SIGTERM while browsers are open: end the browsers (its
        // children; their own helpers follow them), then it.
        let children = Process()
        children.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        children.arguments = ["-KILL", "-P", String(process.processIdentifier)]
        try? children.run()
        children.waitUntilExit()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A new browser window, `width`×`height`.
    package func session(width: Int = 1280, height: Int = 800, blockThirdPartyCookies: Bool = false) async throws -> Browser {
        var options: [String: Any] = [
            "binary": Self.chromium ?? "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
        ]
        if blockThirdPartyCookies { options["prefs"] = ["profile.block_third_party_cookies": true, "profile.cookie_controls_mode": 1] }
        let answer = try await Self.request("POST", base + "/session",
                                            ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]])
        guard let id = (answer["value"] as? [String: Any])?["sessionId"] as? String else { throw Failure(description: "no session: \(answer)") }
        return Browser(url: base + "/session/" + id)
    }

    /// One browser window.
    package struct Browser: Sendable {
        let url: String
        static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

        package func go(_ address: String) async throws { _ = try await call("POST", "/url", ["url": address]) }

        package func find(_ css: String) async throws -> String? {
            let answer = try await WebDriver.request("POST", url + "/element", ["using": "css selector", "value": css])
            return (answer["value"] as? [String: Any])?[Self.elementKey] as? String
        }

        /// Clicks the element matching `css`; found again if the page re-rendered it meanwhile.
        package func click(_ css: String) async throws {
            for attempt in 1...5 {
                guard let element = try await find(css) else { throw Failure(description: "no element \(css)") }
                do {
                    _ = try await call("POST", "/element/\(element)/click", [:])
                    return
                } catch let failure as Failure where failure.description.contains("stale element") && attempt < 5 {
                    continue
                }
            }
        }

        package func type(_ css: String, _ text: String) async throws {
            guard let element = try await find(css) else { throw Failure(description: "no element \(css)") }
            _ = try await call("POST", "/element/\(element)/value", ["text": text])
        }

        /// Runs `script` in the page and returns its result.
        package func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
            try await call("POST", "/execute/sync", ["script": script, "args": arguments])["value"]
        }

        /// The texts of every element matching `css`.
        package func texts(_ css: String) async throws -> [String] {
            (try await run("return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent)", [css]) as? [String]) ?? []
        }

        package func count(_ css: String) async throws -> Int {
            (try await run("return document.querySelectorAll(arguments[0]).length", [css]) as? Int) ?? 0
        }

        /// Commands go into the frame matching `css` until `leaveFrame`.
        package func enterFrame(_ css: String) async throws {
            guard let element = try await find(css) else { throw Failure(description: "no frame \(css)") }
            _ = try await call("POST", "/frame", ["id": [Self.elementKey: element]])
        }

        package func leaveFrame() async throws { _ = try await call("POST", "/frame/parent", [:]) }

        package func acceptAlert() async throws { _ = try await call("POST", "/alert/accept", [:]) }

        package func screenshot(to file: URL) async throws {
            guard let base64 = try await call("GET", "/screenshot", nil)["value"] as? String, let png = Data(base64Encoded: base64) else { return }
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try png.write(to: file)
        }

        package func close() async { _ = try? await WebDriver.request("DELETE", url, nil) }

        private func call(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> [String: Any] {
            let answer = try await WebDriver.request(method, url + path, body)
            if let error = (answer["value"] as? [String: Any])?["error"] as? String {
                throw Failure(description: "\(path): \(error) \((answer["value"] as? [String: Any])?["message"] ?? "")")
            }
            return answer
        }
    }

    static func request(_ method: String, _ url: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 32 * 1_024 * 1_024)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
    }
}
