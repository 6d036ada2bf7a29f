import AsyncHTTPClient
import Crypto
import DeskBridgeCoordination
import DeskBridgeRelay
import DeskBridgeTestSupport
import Foundation
import Synchronization
import Testing
import _CryptoExtras

@Suite("Service-account OAuth: RS256 JWT bearer grant against a local token endpoint")
struct ServiceAccountTests {
    @Test func signsAVerifiableAssertionCachesTheTokenAndRefreshesBeforeExpiry() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicKey = key.publicKey
        try await StandInServer.with({ _, index in .status(200, #"{"access_token":"token-\#(index)","expires_in":3600,"token_type":"Bearer"}"#) }) { server in
            let file = TestConfig.temporaryDirectory().appendingPathComponent("key.json")
            let keyFile: [String: String] = ["type": "service_account", "client_email": "bridge@example.iam.gserviceaccount.com",
                                             "private_key": key.pemRepresentation, "token_uri": server.baseURL + "/token", "private_key_id": "kid-1"]
            try JSONSerialization.data(withJSONObject: keyFile).write(to: file)
            let clock = ManualWallClock()
            let provider = try ServiceAccountTokenProvider(keyFile: file.path, transport: AsyncHTTPTransport(client: HTTPClient.shared), now: { clock.now })

            #expect(try await provider.authorization() == "Bearer token-0")
            #expect(try await provider.authorization() == "Bearer token-0", "cached")
            #expect(server.requests.count == 1)

            let form = String(decoding: server.requests[0].body, as: UTF8.self)
            let fields = Dictionary(uniqueKeysWithValues: form.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                return (parts[0], parts[1])
            })
            #expect(fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
            let jwt = try #require(fields["assertion"]).split(separator: ".").map(String.init)
            #expect(jwt.count == 3)
            let signature = try #require(Self.base64url(jwt[2]))
            #expect(publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(jwt[0]).\(jwt[1])".utf8), padding: .insecurePKCS1v1_5))
            let claimsData = try #require(Self.base64url(jwt[1]))
            let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
            #expect(claims["iss"] as? String == "bridge@example.iam.gserviceaccount.com")
            #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/businessmessages")
            #expect(claims["aud"] as? String == server.baseURL + "/token")
            #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 3_600)

            clock.advance(by: 3_600 - 301)
            #expect(try await provider.authorization() == "Bearer token-0", "still valid five minutes before expiry")
            clock.advance(by: 2)
            #expect(try await provider.authorization() == "Bearer token-1", "refreshed")
        }
    }

    @Test func aBrokenKeyFileIsAClearError() throws {
        let file = TestConfig.temporaryDirectory().appendingPathComponent("bad.json")
        try Data(#"{"client_email":"x"}"#.utf8).write(to: file)
        #expect(throws: ServiceAccountTokenProvider.Failure.self) {
            try ServiceAccountTokenProvider(keyFile: file.path, transport: AsyncHTTPTransport(client: HTTPClient.shared))
        }
    }

    static func base64url(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
