import Foundation

/// `server.trustedProxies`: the reverse proxies whose `X-Forwarded-For` DeskBridge believes.
///
/// Entries are addresses (`127.0.0.1`, `::1`) or CIDR ranges (`10.0.0.0/8`, `fd00::/8`), so a
/// proxy with a changing address inside a container network can be trusted by its subnet.
package struct TrustedProxies: Sendable, Equatable {
    private var ranges: [AddressRange]

    /// Parses every entry; the error names the first one that is not an address or range.
    package init(_ entries: [String]) throws(InvalidEntry) {
        ranges = try entries.map { entry throws(InvalidEntry) in
            guard let range = AddressRange(entry) else { throw InvalidEntry(entry: entry) }
            return range
        }
    }

    package struct InvalidEntry: Error, Equatable {
        package var entry: String
        package init(entry: String) { self.entry = entry }
    }

    package func contains(_ address: String) -> Bool {
        guard let bytes = AddressRange.bytes(address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client address for `ClientIP` and logs. `X-Forwarded-For` counts only when the peer is
    /// trusted; then the right-most hop that is not itself a trusted proxy wins, because every
    /// hop left of it was written by someone we do not trust (a client can send any header).
    /// Hops that are not IP addresses (`unknown`, a host name, an injected string) are ignored,
    /// so nothing but an address is ever forwarded as `ClientIP`.
    package func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { AddressRange.bytes($0) != nil }
        return hops.last { !contains($0) } ?? hops.first ?? peer
    }
}

/// An IPv4 or IPv6 network: the address's bytes and how many leading bits must match.
private struct AddressRange: Sendable, Equatable {
    var network: [UInt8]
    var prefix: Int

    init?(_ entry: String) {
        let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = Self.bytes(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            self.prefix = bits
        }
        network = bytes
    }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var remaining = prefix
        for (a, b) in zip(address, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address counts as IPv4).
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] { return Array(bytes.suffix(4)) }
        return bytes
    }
}
