import AsyncHTTPClient
import DeskBridgeCore
import DeskBridgeRelay
import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("AsyncHTTPTransport against a real local server")
struct TransportTests {
    let transport = AsyncHTTPTransport(client: HTTPClient.shared)

    func request(_ base: String, timeout: Duration = .seconds(5)) -> OutboundRequest {
        OutboundRequest(method: "POST", url: base + "/v1/conversations/c/messages", headers: [("Content-Type", "application/json")],
                        body: Data("{}".utf8), timeout: timeout)
    }

    @Test func classifiesAnswers() async throws {
        try await StandInServer.with({ _, index in
            switch index {
            case 0: .status(200)
            case 1: .status(500, #"{"error":{"code":500,"status":"INTERNAL"}}"#)
            default: .status(409, #"{"error":{"code":409,"status":"ALREADY_EXISTS"}}"#)
            }
        }) { server in
            #expect(await transport.perform(request(server.baseURL)).outcome == .success(status: 200))
            #expect(await transport.perform(request(server.baseURL)).outcome == .httpStatus(500, detail: "INTERNAL"))
            #expect(await transport.perform(request(server.baseURL)).outcome == .httpStatus(409, detail: "ALREADY_EXISTS"))
        }
    }

    @Test func aHangingServerHitsTheDeadline() async throws {
        try await StandInServer.with({ _, _ in .hang }) { server in
            let started = ContinuousClock.now
            #expect(await transport.perform(request(server.baseURL, timeout: .milliseconds(300))).outcome == .timeout)
            #expect(ContinuousClock.now - started < .seconds(5), "the deadline, not the server, ended the call")
        }
    }

    @Test func aClosedPortIsAConnectionError() async throws {
        let port = try await StandInServer.with { $0.port }  // the server is gone afterwards
        // AsyncHTTPClient keeps retrying a refused connect until the deadline, then reports the connect error.
        guard case .connectionError = await transport.perform(request("http://127.0.0.1:\(port)", timeout: .milliseconds(500))).outcome else {
            Issue.record("expected a connection error")
            return
        }
    }
}
