import CZlib
import Crypto
import Foundation

/// Tencent UserSig v2 (TLS sig API v2, T§3.2): a zlib-compressed JSON document carrying an
/// HMAC-SHA256 over the identifier, app id, issue time and lifetime, in URL-safe base64.
package enum UserSig {
    /// Why a UserSig was refused. The codes are Tencent's (CONTRACT §3).
    package enum Failure: Error, Equatable {
        case malformed
        case wrongApp
        case wrongIdentifier
        case badSignature
        case expired
        /// Issued further in the future than the allowed clock skew.
        case notYetValid

        package var errorCode: Int { self == .expired ? 70001 : 70003 }
        package var message: String {
            switch self {
            case .malformed: "UserSig is malformed"
            case .wrongApp: "UserSig was issued for another SDKAppID"
            case .wrongIdentifier: "UserSig was issued for another identifier"
            case .badSignature: "UserSig signature is invalid"
            case .expired: "UserSig has expired"
            case .notYetValid: "UserSig is issued in the future (more than \(UserSig.allowedClockSkewSeconds) s ahead of this server's clock)"
            }
        }
    }

    /// How far ahead of this server's clock a UserSig's issue time may be (the business server's
    /// clock may run a little fast); beyond it the UserSig is refused with 70003.
    package static let allowedClockSkewSeconds: Int64 = 300

    package static func generate(identifier: String, sdkAppId: Int, secretKey: String, issuedAt: Int64, expireSeconds: Int64) -> String {
        let sig = hmac(identifier: identifier, sdkAppId: sdkAppId, time: issuedAt, expire: expireSeconds, userbuf: nil, key: secretKey)
        // Key order matches the reference implementation; order is irrelevant to verification.
        let json = "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\(jsonString(identifier)),\"TLS.sdkappid\":\(sdkAppId),\"TLS.expire\":\(expireSeconds),\"TLS.time\":\(issuedAt),\"TLS.sig\":\(jsonString(sig))}"
        return urlSafe(Zlib.compress(Data(json.utf8)).base64EncodedString())
    }

    /// Verifies `userSig` for `identifier` at `now` (unix seconds). A UserSig made with a userbuf
    /// (`gen_sig_with_userbuf`) is verified too: its `TLS.userbuf` is part of the signed content.
    package static func verify(_ userSig: String, identifier: String, sdkAppId: Int, secretKey: String, now: Int64) throws(Failure) {
        var base64 = userSig.replacingOccurrences(of: "*", with: "+").replacingOccurrences(of: "-", with: "/")
            .replacingOccurrences(of: "_", with: "=")
        while base64.count % 4 != 0 { base64 += "=" }
        guard userSig.count < 4_096, let compressed = Data(base64Encoded: base64),
            let json = Zlib.decompress(compressed, limit: 8_192),
            let doc = try? JSONDecoder().decode(Document.self, from: json)
        else { throw .malformed }
        guard doc.sdkappid == sdkAppId else { throw .wrongApp }
        guard doc.identifier == identifier else { throw .wrongIdentifier }
        let expected = hmac(identifier: doc.identifier, sdkAppId: doc.sdkappid, time: doc.time, expire: doc.expire, userbuf: doc.userbuf, key: secretKey)
        guard let given = Data(base64Encoded: doc.sig), let wanted = Data(base64Encoded: expected),
            ConstantTime.equal(given, wanted)
        else { throw .badSignature }
        guard doc.time <= now + allowedClockSkewSeconds else { throw .notYetValid }
        guard now <= doc.time + doc.expire else { throw .expired }
    }

    private struct Document: Decodable {
        var identifier: String
        var sdkappid: Int
        var time: Int64
        var expire: Int64
        var sig: String
        /// base64 of the userbuf, exactly as signed.
        var userbuf: String?
        private enum CodingKeys: String, CodingKey {
            case identifier = "TLS.identifier", sdkappid = "TLS.sdkappid", time = "TLS.time", expire = "TLS.expire", sig = "TLS.sig"
            case userbuf = "TLS.userbuf"
        }
        /// The reference libraries write the numbers as numbers; some write them as strings.
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func int(_ key: CodingKeys) throws -> Int64 {
                if let value = try? c.decode(Int64.self, forKey: key) { return value }
                guard let value = Int64(try c.decode(String.self, forKey: key)) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a number")
                }
                return value
            }
            identifier = try c.decode(String.self, forKey: .identifier)
            sdkappid = Int(try int(.sdkappid))
            time = try int(.time)
            expire = try int(.expire)
            sig = try c.decode(String.self, forKey: .sig)
            userbuf = try c.decodeIfPresent(String.self, forKey: .userbuf)
        }
    }

    private static func hmac(identifier: String, sdkAppId: Int, time: Int64, expire: Int64, userbuf: String?, key: String) -> String {
        var content = "TLS.identifier:\(identifier)\nTLS.sdkappid:\(sdkAppId)\nTLS.time:\(time)\nTLS.expire:\(expire)\n"
        if let userbuf { content += "TLS.userbuf:\(userbuf)\n" }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(content.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    private static func urlSafe(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "*").replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "=", with: "_")
    }

    private static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// RFC 1950 zlib streams via the system library.
package enum Zlib {
    package static func compress(_ data: Data) -> Data {
        var destinationLength = compressBound(uLong(data.count))
        var out = Data(count: Int(destinationLength))
        let status = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                compress2(dst.bindMemory(to: Bytef.self).baseAddress, &destinationLength,
                          src.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), Z_BEST_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "compress2 cannot fail with a compressBound-sized buffer")
        return out.prefix(Int(destinationLength))
    }

    /// Inflates at most `limit` bytes; nil for a corrupt stream or a larger result.
    package static func decompress(_ data: Data, limit: Int) -> Data? {
        var destinationLength = uLong(limit)
        var out = Data(count: limit)
        var sourceLength = uLong(data.count)
        let status = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                uncompress2(dst.bindMemory(to: Bytef.self).baseAddress, &destinationLength,
                            src.bindMemory(to: Bytef.self).baseAddress, &sourceLength)
            }
        }
        guard status == Z_OK else { return nil }
        return out.prefix(Int(destinationLength))
    }
}
