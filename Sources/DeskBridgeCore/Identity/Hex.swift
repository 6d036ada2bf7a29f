import Crypto
import Foundation

/// Lower-case hex helpers used for deterministic ids and signatures.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func sha256(_ text: String) -> String {
        encode(SHA256.hash(data: Data(text.utf8)))
    }

    /// First 12 hex digits of SHA-256: the short reference translation.md uses in ids and postbacks.
    package static func ref12(_ text: String) -> String {
        String(sha256(text).prefix(12))
    }
}
