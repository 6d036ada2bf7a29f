import DeskBridgeCore
import Foundation

/// One outbound HTTP request, fully resolved (URL, headers, body, deadline).
package struct OutboundRequest: Sendable, Equatable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: Data
    package var timeout: Duration

    package init(method: String, url: String, headers: [(String, String)], body: Data, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }
}

/// The answer to an outbound request: status and a size-capped body.
package struct OutboundResponse: Sendable, Equatable {
    package var status: Int
    package var body: Data
    package init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Makes outbound HTTP calls. The real one is AsyncHTTPClient; tests point it at local servers.
package protocol OutboundTransport: Sendable {
    /// Never throws: failures come back as `DeliveryOutcome`s classified by type.
    func perform(_ request: OutboundRequest) async -> Result<OutboundResponse, TransportFailure>
}

/// Why a request got no HTTP answer.
package enum TransportFailure: Error, Equatable, Sendable {
    case timeout
    case connection(String)
}

extension Result where Success == OutboundResponse, Failure == TransportFailure {
    /// The delivery outcome the retry policy decides on.
    package var outcome: DeliveryOutcome {
        switch self {
        case .success(let response) where (200..<300).contains(response.status): .success(status: response.status)
        case .success(let response): .httpStatus(response.status, detail: Self.detail(response.body))
        case .failure(.timeout): .timeout
        case .failure(.connection(let why)): .connectionError(why)
        }
    }

    /// A short, label-safe description of an error body (Google's `error.status`, else nothing).
    private static func detail(_ body: Data) -> String {
        return (try? JSONDecoder().decode(GoogleErrorEnvelope.self, from: body))?.error?.status ?? ""
    }
}

/// Google's error envelope `{"error":{"code":…,"status":…}}`; only `status` is kept.
private struct GoogleErrorEnvelope: Decodable {
    struct Inner: Decodable { var status: String? }
    var error: Inner?
}
