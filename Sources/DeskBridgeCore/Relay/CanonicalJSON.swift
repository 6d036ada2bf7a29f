import Foundation

extension JSONEncoder {
    /// The encoder for every JSON body DeskBridge sends or stores as a desk message: keys sorted
    /// and slashes unescaped, so the same value always gives the same bytes (retries, golden
    /// files and idempotency ids depend on that).
    package static func canonical() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
