import DeskBridgeCore
import Testing

@Suite("Client address behind trusted proxies")
struct TrustedProxiesTests {
    @Test func addressesAndRangesMatchByPrefix() throws {
        let proxies = try TrustedProxies(["127.0.0.1", "172.16.0.0/12", "fd00::/8"])
        #expect(proxies.contains("127.0.0.1"))
        #expect(!proxies.contains("127.0.0.2"))
        #expect(proxies.contains("172.31.255.254"))
        #expect(!proxies.contains("172.32.0.1"))
        #expect(proxies.contains("fd12:3456::1"))
        #expect(!proxies.contains("fe80::1"))
        #expect(proxies.contains("::ffff:172.20.0.3"), "an IPv4-mapped IPv6 peer counts as its IPv4 address")
        #expect(!proxies.contains("not-an-address"))
        #expect(throws: TrustedProxies.InvalidEntry(entry: "10.0.0.0/33")) { try TrustedProxies(["10.0.0.0/33"]) }
    }

    @Test func forwardedForIsBelievedOnlyFromATrustedPeer() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8"])
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: "198.51.100.1") == "203.0.113.9", "an untrusted peer cannot claim another address")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "198.51.100.1") == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: nil) == "10.0.0.5")
    }

    @Test func theRightMostUntrustedHopWinsSoClientsCannotSpoof() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8"])
        // The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address, then an inner proxy its own.
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "1.2.3.4, 198.51.100.7, 10.0.0.9") == "198.51.100.7")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "10.1.1.1, 10.0.0.9") == "10.1.1.1", "all hops trusted: the left-most")
    }

    @Test func hopsThatAreNotAddressesAreIgnoredNotForwarded() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8"])
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "198.51.100.7, unknown") == "198.51.100.7")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "<script>, evil.example") == "10.0.0.5", "nothing usable: the peer")
        #expect(proxies.clientAddress(peer: "10.0.0.5", forwardedFor: "1.2.3.4&Sign=x") == "10.0.0.5")
    }
}
