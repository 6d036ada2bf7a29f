import DeskBridgeCore
import Foundation
import Testing

/// Password accounts' hashes (scrypt): made once, checked, never shown.
@Suite("Password hashes")
struct PasswordHashTests {
    @Test func aHashVerifiesItsPasswordAndNoOther() throws {
        let cheap = (logN: 10, blockSize: 8, parallelism: 1)
        let hash = try PasswordHash.make("correct horse", cost: cheap)
        #expect(hash.verifies("correct horse"))
        #expect(!hash.verifies("correct horse "))
        #expect(!hash.verifies(""))
        let again = try PasswordHash.make("correct horse", cost: cheap)
        #expect(again.salt != hash.salt && again.key != hash.key, "a fresh salt each time")
        #expect(PasswordHash(hash.encoded) == hash, "the stored form reads back")
        #expect(!PasswordHash.decoy.verifies(""), "the decoy matches nothing")
    }

    @Test func theStoredFormIsScryptWithItsCostAndNothingElseIsTaken() throws {
        let encoded = try PasswordHash.make("x").encoded
        let parts = encoded.split(separator: "$")
        #expect(parts.prefix(4) == ["scrypt", "14", "8", "5"])
        #expect(PasswordHash("plain text password") == nil)
        #expect(PasswordHash(encoded.replacingOccurrences(of: "scrypt$14$", with: "scrypt$30$")) == nil, "a cost that would stall a sign-in")
        #expect(PasswordHash(encoded.replacingOccurrences(of: "scrypt$", with: "bcrypt$")) == nil)
        #expect(PasswordHash(String(encoded.dropLast(8))) == nil, "a cut key")
        #expect("\(try #require(PasswordHash(encoded)))" == "PasswordHash(scrypt, redacted)", "never printed")
    }
}
