import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for tests, on the shared AsyncHTTPClient.
package enum HTTP {
    package struct Answer: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: Data
        package var text: String { String(decoding: body, as: UTF8.self) }
        package var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    package static func post(_ url: String, body: Data, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request)
    }

    package static func get(_ url: String, headers: [String: String] = [:], followRedirects: Bool = true) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await execute(request, client: followRedirects ? .shared : noRedirects)
    }

    /// For answers whose redirect is what the test checks.
    private static let noRedirects = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    private static func execute(_ request: HTTPClientRequest, client: HTTPClient = .shared) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 * 1_024 * 1_024)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return Answer(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }

    /// Signs and posts a webhook body.
    package static func webhook(_ base: String, _ body: Data, signature: String? = nil) async throws -> Answer {
        try await post(base + "/webhooks/business-messages", body: body, headers: ["X-Goog-Signature": signature ?? Wire.signature(body)])
    }

    /// Calls a desk API as `identifier` and returns the decoded answer.
    package static func desk(_ base: String, _ path: String, as identifier: String, _ body: [String: Any]) async throws -> [String: Any] {
        let answer = try await post("\(base)\(path)?\(Wire.deskQuery(identifier: identifier))", body: Wire.json(body))
        return answer.json ?? [:]
    }
}

/// Polls a condition until it holds or the deadline passes (for effects with no request to wait on).
package func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await ContinuousClock().sleep(for: .milliseconds(25))
    }
    return try await condition()
}
