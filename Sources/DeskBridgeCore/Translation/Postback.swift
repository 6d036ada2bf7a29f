/// Chip postbacks: `td1:<kind>:<ref>:<index>` (translation.md §1). The text of an item never
/// travels in the postback: labels may be cut, and the desk needs the exact text.
package struct Postback: Sendable, Equatable {
    package enum Kind: String, Sendable { case branch = "b", form = "f", welcome = "w", task = "t", satisfaction = "s", url = "u" }

    package var kind: Kind
    package var ref: String
    package var index: Int

    package init(kind: Kind, ref: String, index: Int) {
        self.kind = kind
        self.ref = ref
        self.index = index
    }

    package init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "td1", let kind = Kind(rawValue: String(parts[1])), let index = Int(parts[3]) else { return nil }
        self.init(kind: kind, ref: String(parts[2]), index: index)
    }

    package var encoded: String { "td1:\(kind.rawValue):\(ref):\(index)" }
}
