import DeskBridgeFuzzTargets
import Foundation
import Testing

/// Every input a fuzzer ever broke (`Tests/FuzzRegressions/TARGET/`), replayed through its
/// parser on every run, and the fixtures `scripts/fuzz` seeds its corpus from, with their
/// verdicts: a parser that crashes fails the whole run, one that changes its mind fails here.
@Suite("Fuzz targets: saved findings and the seed corpus")
struct FuzzRegressionTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let shared = tests.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    /// Saved findings are named `accepted-…` or `refused-…`: the verdict a fixed parser gives.
    @Test(arguments: FuzzTarget.allCases)
    func savedFindingsKeepTheirVerdict(target: FuzzTarget) throws {
        let folder = Self.tests.appendingPathComponent("FuzzRegressions/\(target.rawValue)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in files.sorted() {
            let verdict = target.run(try Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(verdict == name.hasPrefix("accepted-"), "\(target.rawValue)/\(name)")
        }
    }

    @Test func theSeedCorpusGetsTheVerdictsAUserExpects() throws {
        let webhooks = try FileManager.default.contentsOfDirectory(atPath: Self.shared.appendingPathComponent("google-test-framework").path)
            .filter { $0.hasSuffix(".json") }
        #expect(webhooks.count >= 5)
        let text = try Data(contentsOf: Self.shared.appendingPathComponent("google-test-framework/text-message.json"))
        #expect(FuzzTarget.webhook.run(text))
        #expect(!FuzzTarget.webhook.run(Data("{\"agent\":".utf8)))
        #expect(FuzzTarget.condition.run(Data(":Course == Chinese".utf8)))
        #expect(!FuzzTarget.condition.run(Data("(a ==".utf8)))
        #expect(FuzzTarget.postback.run(Data("td1:s:a525c5ec17c3:4".utf8)))
        #expect(!FuzzTarget.postback.run(Data("td1:s:".utf8)))
        #expect(FuzzTarget.forwardedFor.run(Data("203.0.113.7, 10.0.0.2".utf8)))
        #expect(!FuzzTarget.forwardedFor.run(Data("unknown, nginx".utf8)))
        let config = try Data(contentsOf: Self.tests.deletingLastPathComponent().appendingPathComponent("config/deskbridge.yaml"))
        #expect(FuzzTarget.config.run(config))
        #expect(!FuzzTarget.config.run(Data("desk: [".utf8)))
        #expect(!FuzzTarget.usersig.run(Data("eJyrVkrNTS0xVLJSUEotS80rKU1RKsnMTVWyUjA0MDA1MDQ3MDZX0lEqyczPU7JSAgDg7w0A".utf8)))
    }
}
