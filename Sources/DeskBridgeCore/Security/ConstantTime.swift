/// Comparisons of secrets (tokens, signatures) whose time does not depend on where they differ,
/// so an attacker cannot find a secret byte by byte by timing refusals.
package enum ConstantTime {
    package static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    package static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}
