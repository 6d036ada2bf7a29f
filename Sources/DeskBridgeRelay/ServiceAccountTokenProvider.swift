import Crypto
import Foundation
import _CryptoExtras

/// `channel.auth.serviceAccountKeyFile`: the OAuth 2 JWT bearer grant (RFC 7523) with an
/// RS256 assertion signed by the key file's private key; the token is cached and refreshed
/// five minutes before it expires. The token endpoint is the key file's `token_uri`.
package actor ServiceAccountTokenProvider: TokenProvider {
    package static let scope = "https://www.googleapis.com/auth/businessmessages"

    /// The fields of a Google service-account key file that matter here.
    package struct KeyFile: Decodable, Sendable {
        package var client_email: String
        package var private_key: String
        package var token_uri: String
        package var private_key_id: String?
    }

    package enum Failure: Error, CustomStringConvertible {
        case unreadableKeyFile(String)
        case tokenEndpoint(String)
        package var description: String {
            switch self {
            case .unreadableKeyFile(let why): "service account key file: \(why)"
            case .tokenEndpoint(let why): "token endpoint: \(why)"
            }
        }
    }

    private let key: KeyFile
    private let signingKey: _RSA.Signing.PrivateKey
    private let transport: any OutboundTransport
    private let now: @Sendable () -> Date
    private var cached: (header: String, refreshAt: Date)?

    package init(keyFile path: String, transport: any OutboundTransport, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.unreadableKeyFile("cannot read \(path)") }
        do {
            key = try JSONDecoder().decode(KeyFile.self, from: data)
            signingKey = try _RSA.Signing.PrivateKey(pemRepresentation: key.private_key)
        } catch {
            throw Failure.unreadableKeyFile("not a service account key (client_email, private_key, token_uri)")
        }
        self.transport = transport
        self.now = now
    }

    package func authorization() async throws -> String? {
        let current = now()
        if let cached, current < cached.refreshAt { return cached.header }
        let assertion = try jwt(issuedAt: current)
        let form = "grant_type=\(Self.formEscape("urn:ietf:params:oauth:grant-type:jwt-bearer"))&assertion=\(Self.formEscape(assertion))"
        let result = await transport.perform(OutboundRequest(
            method: "POST", url: key.token_uri, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(form.utf8), timeout: .seconds(10)))
        struct TokenResponse: Decodable { var access_token: String; var expires_in: Int? }
        guard case .success(let response) = result else { throw Failure.tokenEndpoint("unreachable") }
        guard (200..<300).contains(response.status), let token = try? JSONDecoder().decode(TokenResponse.self, from: response.body) else {
            throw Failure.tokenEndpoint("HTTP \(response.status)")
        }
        let lifetime = TimeInterval(token.expires_in ?? 3_600)
        let header = "Bearer \(token.access_token)"
        cached = (header, current.addingTimeInterval(max(lifetime - 300, lifetime / 2)))
        return header
    }

    /// header.claims.signature, each base64url without padding.
    func jwt(issuedAt: Date) throws -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        var header = ["alg": "RS256", "typ": "JWT"]
        if let kid = key.private_key_id { header["kid"] = kid }
        let claims: [String: any Sendable] = ["iss": key.client_email, "scope": Self.scope, "aud": key.token_uri, "iat": iat, "exp": iat + 3_600]
        let signingInput = Self.base64url(try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)) + "."
            + Self.base64url(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        let signature = try signingKey.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64url(signature.rawRepresentation)
    }

    package static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func formEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
