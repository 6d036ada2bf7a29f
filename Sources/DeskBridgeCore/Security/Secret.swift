/// A configured secret (token, key, password) that never prints itself.
///
/// Every description of it, and of anything that holds it (a configuration, a service the
/// lifecycle logs at `debug`), shows `<redacted>`; only `reveal` gives the value, at the one
/// place that signs or sends it (CONTRACT §5.4).
package struct Secret: Sendable, Hashable, Decodable, ExpressibleByStringLiteral,
    CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    package init(_ value: String) { self.value = value }
    package init(stringLiteral value: String) { self.value = value }
    package init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(String.self) }

    /// The secret itself, for signing or an `Authorization` header; never for a log or a body.
    package var reveal: String { value }
    package var isEmpty: Bool { value.isEmpty }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
