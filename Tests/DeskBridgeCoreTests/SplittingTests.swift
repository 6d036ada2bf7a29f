import DeskBridgeCore
import Foundation
import Testing

/// Long desk content is split after conversion, at paragraph, line, sentence or word boundaries,
/// never inside a formatting span or a link, so nothing is lost and every part is within limits.
@Suite("Long content is split, not cut")
struct SplittingTests {
    let bot = Representative(.BOT, displayName: "Acme Assistant", avatarImage: nil)

    func render(_ message: DeskCustomMessage) -> [GoogleMessage] {
        TencentToGoogle.render([.custom(message)], msgKey: "k", as: bot, offerLiveAgent: false).messages
    }

    func expectWithinLimits(_ messages: [GoogleMessage]) {
        for message in messages { #expect((message.text?.count ?? 0) <= GoogleLimits.textLength) }
    }

    @Test func aThirteenItemMenuWithLongDescriptionsKeepsEveryItemAndTheChipsOnTheLastPart() throws {
        let desc = String(repeating: "A long explanation of this option. ", count: 8)
        let items = (1...13).map { DeskCustomMessage.Menu.Item(content: "Topic \($0)", desc: desc) }
        let messages = render(.branch(.init(header: "Which topic?", items: items, tail: nil)))
        #expect(messages.count > 1)
        expectWithinLimits(messages)
        let all = messages.compactMap(\.text).joined(separator: "\n")
        for index in 1...13 { #expect(all.contains("• Topic \(index) — "), "item \(index) is there") }
        #expect(messages.dropLast().allSatisfy { $0.suggestions == nil })
        #expect(messages.last?.suggestions?.count == 13, "the chips ride on the last part")
    }

    @Test func aLongMenuHeaderIsSplitWithTheChipsLast() throws {
        let header = (1...80).map { "Sentence number \($0) of a very long introduction to this menu." }.joined(separator: " ")
        #expect(header.count > 3_900)
        let messages = render(.branch(.init(header: header, items: [.init(content: "Yes"), .init(content: "No")], tail: nil)))
        #expect(messages.count == 2)
        expectWithinLimits(messages)
        #expect(messages[0].text?.hasSuffix(".") == true, "cut after a sentence")
        #expect(messages.compactMap(\.text).joined(separator: " ").contains("Sentence number 80 of"))
        #expect(messages[1].suggestions?.compactMap(Self.chipText) == ["Yes", "No"])
    }

    @Test func aLongMarkdownAnswerIsNeverCutInsideALinkOrABoldSpan() throws {
        let line = (1...70).map { "See [the guide number \($0)](https://help.example/guide/\($0)) and **note \($0) well**." }.joined(separator: " ")
        #expect(line.count > 5_000)
        let messages = render(.markdown(line))
        #expect(messages.count >= 2)
        expectWithinLimits(messages)
        for message in messages {
            let text = try #require(message.text)
            #expect(message.containsRichText == true)
            #expect(text.components(separatedBy: "**").count % 2 == 1, "bold spans are whole: \(text.suffix(40))")
            #expect(text.components(separatedBy: "[").count == text.components(separatedBy: "](https://").count, "links are whole")
            #expect(!(message.fallback ?? "").contains("**"))
        }
        let joined = messages.compactMap(\.text).joined(separator: " ")
        for index in [1, 35, 70] { #expect(joined.contains("[the guide number \(index)](https://help.example/guide/\(index))")) }
    }

    @Test func aFormWithALongHeaderAndALongItemDescriptionLosesNothing() throws {
        let header = String(repeating: "Please tell us more. ", count: 200)
        let desc = String(repeating: "Details about this choice. ", count: 190)
        let messages = render(.form(.init(header: header, type: 1, items: [.init(content: "Refund", desc: desc), .init(content: "Repair")])))
        expectWithinLimits(messages)
        let joined = messages.compactMap(\.text).joined(separator: " ")
        #expect(joined.components(separatedBy: "Please tell us more.").count - 1 == 200)
        #expect(joined.components(separatedBy: "Details about this choice.").count - 1 == 190)
        #expect(messages.last?.suggestions?.compactMap(Self.chipText) == ["Refund", "Repair"])
    }

    @Test func aCardTitleOverTheLimitFollowsInFull() throws {
        let title = String(repeating: "Title words ", count: 30)
        let card = try #require(DeskCustomMessage(data: #"{"src":"22","content":{"header":"\#(title)","desc":"A fine product"}}"#))
        let messages = render(card)
        #expect(messages.count == 2)
        #expect(messages[0].richCard?.standaloneCard?.cardContent.title?.count == GoogleLimits.cardTitleLength)
        #expect(messages[1].text == title + "\n\nA fine product")
    }

    static func chipText(_ suggestion: Suggestion) -> String? {
        if case .reply(let text, _) = suggestion { text } else { nil }
    }
}
