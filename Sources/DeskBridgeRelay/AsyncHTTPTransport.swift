import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The production transport: one shared `HTTPClient`, a deadline on every request, and
/// response bodies read with a size cap.
package struct AsyncHTTPTransport: OutboundTransport {
    private let client: HTTPClient
    private let maxResponseBytes: Int

    package init(client: HTTPClient, maxResponseBytes: Int = 256 * 1_024) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
    }

    package func perform(_ outbound: OutboundRequest) async -> Result<OutboundResponse, TransportFailure> {
        var request = HTTPClientRequest(url: outbound.url)
        request.method = HTTPMethod(rawValue: outbound.method)
        for (name, value) in outbound.headers { request.headers.add(name: name, value: value) }
        if !outbound.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: outbound.body)) }
        let timeout = TimeAmount.milliseconds(Int64(outbound.timeout / .milliseconds(1)))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return .success(OutboundResponse(status: Int(response.status.code), body: Data(body.readableBytesView)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure(.timeout)
        } catch let error as HTTPClientError {
            return .failure(.connection(String(describing: error)))
        } catch is NIOTooManyBytesError {
            return .failure(.connection("response body too large"))
        } catch {
            return .failure(.connection(String(describing: type(of: error))))
        }
    }
}
