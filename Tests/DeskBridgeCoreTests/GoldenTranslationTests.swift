import DeskBridgeCore
import Foundation
import Testing

/// One recorded Tencent message per kind with its golden Google rendering, table-driven.
/// `RECORD_GOLDEN=1 swift test --filter GoldenTranslation` rewrites the expectations (review the diff!).
@Suite("Golden translations: every Tencent message kind")
struct GoldenTranslationTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tencent")
    static let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    static let representative = Representative(.HUMAN, displayName: "Lena", avatarImage: "https://cdn.example.org/lena.png")

    struct Fixture: Codable {
        var msgBody: [MsgElement]
        var expect: Expectation?
    }

    struct Expectation: Codable, Equatable {
        var messages: [GoogleMessage]
        var menu: TencentToGoogle.OfferedMenu?
        var signals: [String]
        var dropped: [String]
    }

    @Test func everyKindHasAFixture() {
        let kinds = ["07", "09", "10", "12", "15", "19", "20", "21", "22", "23", "24", "26", "27", "28", "29", "30", "31", "32", "33", "35", "37"]
        for kind in kinds { #expect(Self.names.contains { $0.hasPrefix("src-\(kind)") }, "src \(kind)") }
    }

    /// Every recorded desk message DeskBridge builds itself encodes to canonical JSON (sorted keys, integral numbers
    /// without a fraction) and decodes to itself, whichever encoding route its kind takes.
    @Test(arguments: names)
    func encodesBackCanonically(name: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.directory.appendingPathComponent("\(name).json")))
        for case .custom(let custom) in fixture.msgBody {
            guard let message = DeskCustomMessage(data: custom.Data) else { continue }
            switch message {
            case .unknown, .taskForm: continue  // kept as received, byte for byte
            default: break
            }
            let encoded = message.jsonString
            #expect(DeskCustomMessage(data: encoded) == message)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let canonical = try encoder.encode(try JSONDecoder().decode(JSONValue.self, from: Data(encoded.utf8)))
            #expect(encoded == String(decoding: canonical, as: UTF8.self))
        }
    }

    /// A desk message DeskBridge builds renders from its value exactly as from the JSON made of it.
    @Test(arguments: names)
    func rendersTheSameFromTheValueAsFromItsJSON(name: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.directory.appendingPathComponent("\(name).json")))
        for case .custom(let custom) in fixture.msgBody {
            guard let message = DeskCustomMessage(data: custom.Data) else { continue }
            let element = MsgElement.custom(message)  // encoded anew, as the flow's messages are
            let fromJSON = TencentToGoogle.render([element], msgKey: "77_1029_1709540101", as: Self.representative, offerLiveAgent: true)
            let fromValue = TencentToGoogle.render([element], parsed: [message], msgKey: "77_1029_1709540101", as: Self.representative, offerLiveAgent: true)
            #expect(fromValue == fromJSON)
        }
    }

    @Test(arguments: names)
    func rendersAsRecorded(name: String) throws {
        let url = Self.directory.appendingPathComponent("\(name).json")
        var fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let rendering = TencentToGoogle.render(fixture.msgBody, msgKey: "77_1029_1709540101", as: Self.representative, offerLiveAgent: false)
        let actual = Expectation(messages: rendering.messages, menu: rendering.menu, signals: rendering.signals.map { "\($0)" }, dropped: rendering.dropped)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            fixture.expect = actual
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(fixture).write(to: url)
            return
        }
        let expected = try #require(fixture.expect, "no golden rendering recorded for \(name)")
        #expect(actual == expected)
        for message in rendering.messages {
            #expect((message.text?.count ?? 0) <= GoogleLimits.textLength)
            #expect((message.suggestions?.count ?? 0) <= GoogleLimits.suggestionsPerMessage)
            #expect(message.text != nil || message.fallback != nil, "every non-plain message carries a fallback")
            if message.richCard != nil || message.image != nil || message.suggestions != nil || message.containsRichText == true {
                #expect(message.fallback != nil)
            }
        }
    }
}
