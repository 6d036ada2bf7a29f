import Crypto
import Foundation

/// Tencent Cloud API 3.0's request signature (TC3-HMAC-SHA256), as Tencent's SDKs compute it:
/// over the method, path, query, `content-type` and `host` headers and the body's SHA-256, keyed
/// by a chain of HMACs from `TC3<secretKey>` through the date and the service.
package enum TC3Signature {
    /// Why a signed request was refused, with Tencent's error codes.
    package enum Failure: Error, Equatable {
        case missing
        case malformed(String)
        case unknownSecretId
        case expired
        case mismatch

        package var code: String {
            switch self {
            case .missing, .malformed: "AuthFailure.InvalidAuthorization"
            case .unknownSecretId: "AuthFailure.SecretIdNotFound"
            case .expired: "AuthFailure.SignatureExpire"
            case .mismatch: "AuthFailure.SignatureFailure"
            }
        }

        package var message: String {
            switch self {
            case .missing: "the Authorization header is missing"
            case .malformed(let why): "the Authorization header is malformed: \(why)"
            case .unknownSecretId: "the SecretId is not this desk's"
            case .expired: "the request's X-TC-Timestamp is more than \(TC3Signature.window) s from the server's clock"
            case .mismatch: "the signature does not match the request"
            }
        }
    }

    /// How far a request's timestamp may be from the server's clock (Tencent's is 5 minutes).
    package static let window: Int64 = 300

    package struct Request: Sendable {
        package var method: String
        package var path: String
        package var query: String
        package var contentType: String
        package var host: String
        package var body: Data
        package var unsignedPayload: Bool
        package var timestamp: Int64

        package init(method: String, path: String, query: String, contentType: String, host: String, body: Data, unsignedPayload: Bool, timestamp: Int64) {
            (self.method, self.path, self.query, self.contentType, self.host) = (method, path, query, contentType, host)
            (self.body, self.unsignedPayload, self.timestamp) = (body, unsignedPayload, timestamp)
        }
    }

    /// Checks `authorization` for `request` with the desk's credentials at `now` (unix seconds); returns the service.
    @discardableResult
    package static func verify(_ authorization: String?, _ request: Request, secretId: String, secretKey: String, now: Int64) throws(Failure) -> String {
        guard let authorization, !authorization.isEmpty else { throw .missing }
        guard authorization.hasPrefix("TC3-HMAC-SHA256 ") else { throw .malformed("not TC3-HMAC-SHA256") }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("TC3-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw .malformed("Credential, SignedHeaders and Signature are required")
        }
        let scope = credential.split(separator: "/").map(String.init)
        guard scope.count == 4, scope[3] == "tc3_request" else { throw .malformed("Credential must be SecretId/Date/Service/tc3_request") }
        guard signed == "content-type;host" else { throw .malformed("SignedHeaders must be content-type;host") }
        guard ConstantTime.equal(scope[0], secretId) else { throw .unknownSecretId }
        guard abs(now - request.timestamp) <= window else { throw .expired }
        let (date, service) = (scope[1], scope[2])
        guard date == utcDate(request.timestamp) else { throw .malformed("the credential's date is not the timestamp's") }
        let expected = sign(request, date: date, service: service, secretKey: secretKey)
        guard ConstantTime.equal(signature.lowercased(), expected) else { throw .mismatch }
        return service
    }

    /// The hex signature of `request` (also what a client would send).
    package static func sign(_ request: Request, date: String, service: String, secretKey: String) -> String {
        let payload = request.unsignedPayload ? Data("UNSIGNED-PAYLOAD".utf8) : request.body
        let canonical = [request.method, request.path, request.query,
                         "content-type:\(request.contentType)\nhost:\(request.host)\n", "content-type;host", hex(SHA256.hash(data: payload))]
            .joined(separator: "\n")
        let stringToSign = "TC3-HMAC-SHA256\n\(request.timestamp)\n\(date)/\(service)/tc3_request\n\(hex(SHA256.hash(data: Data(canonical.utf8))))"
        let secretDate = hmac(Data("TC3\(secretKey)".utf8), date)
        let secretSigning = hmac(hmac(secretDate, service), "tc3_request")
        return hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: SymmetricKey(data: secretSigning)))
    }

    package static func utcDate(_ timestamp: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(timestamp)))
    }

    private static func hmac(_ key: Data, _ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(bytes) }
}
