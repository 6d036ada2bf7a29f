import _CryptoExtras
import Crypto
import Foundation

/// A password account's stored secret: scrypt (RFC 7914) of the password under a random salt,
/// written `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (salt and key in base64), so the cost can be
/// raised later and old hashes still verify. Made by `deskbridge hash-password`; the password
/// itself is never stored or logged.
package struct PasswordHash: Sendable, Equatable, Codable, CustomStringConvertible {
    package var logN: Int
    package var blockSize: Int
    package var parallelism: Int
    package var salt: [UInt8]
    package var key: [UInt8]

    /// OWASP's scrypt setting of equal strength to N=2^17, r=8, p=1, with 16 MiB per hash instead
    /// of 128: a burst of sign-ins must not take the service's memory.
    package static let standard = (logN: 14, blockSize: 8, parallelism: 5)
    /// What a configured hash may ask for: enough for any sane setting, too little to stall a sign-in.
    static let limits = (logN: 10...18, blockSize: 1...16, parallelism: 1...16)

    package init?(_ encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let logN = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
              Self.limits.logN.contains(logN), Self.limits.blockSize.contains(blockSize), Self.limits.parallelism.contains(parallelism),
              let salt = Data(base64Encoded: String(parts[4])), salt.count >= 16,
              let key = Data(base64Encoded: String(parts[5])), key.count == 32 else { return nil }
        self.init(logN: logN, blockSize: blockSize, parallelism: parallelism, salt: Array(salt), key: Array(key))
    }

    /// From the configuration: a string in the form above; anything else is a precise problem that
    /// does not echo the value.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let hash = PasswordHash(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "is not a password hash made by `deskbridge hash-password`")
        }
        self = hash
    }

    /// Stored as the string `deskbridge hash-password` prints (in the store's agent directory).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoded)
    }

    private init(logN: Int, blockSize: Int, parallelism: Int, salt: [UInt8], key: [UInt8]) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.key = key
    }

    /// Checked instead when the account has no password, so that an unknown account takes as long
    /// to refuse as a wrong password (its key matches no password's).
    package static let decoy = PasswordHash(logN: standard.logN, blockSize: standard.blockSize, parallelism: standard.parallelism,
                                            salt: Array(repeating: 0, count: 16), key: Array(repeating: 0, count: 32))

    /// A new hash of `password` under a fresh random salt, at `cost` (tests take a lower one).
    package static func make(_ password: String, cost: (logN: Int, blockSize: Int, parallelism: Int) = standard) throws -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (logN, blockSize, parallelism) = cost
        return PasswordHash(logN: logN, blockSize: blockSize, parallelism: parallelism, salt: salt,
                            key: try derive(password, salt: salt, logN: logN, blockSize: blockSize, parallelism: parallelism))
    }

    /// Whether `password` is the one hashed; the keys are compared in constant time.
    package func verifies(_ password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, logN: logN, blockSize: blockSize, parallelism: parallelism) else { return false }
        return ConstantTime.equal(candidate, key)
    }

    package var encoded: String {
        "scrypt$\(logN)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Never the hash itself: a log line or an error that prints a configuration stays clean.
    package var description: String { "PasswordHash(scrypt, redacted)" }

    private static func derive(_ password: String, salt: [UInt8], logN: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logN,
                                           blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}
