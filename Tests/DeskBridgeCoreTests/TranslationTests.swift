import DeskBridgeCore
import Foundation
import Testing

@Suite("Translation Tencent → Google within Google's limits")
struct TranslationTests {
    let bot = Representative(.BOT, displayName: "Acme Assistant", avatarImage: nil)

    func menu(_ items: [String], desc: String? = nil) -> MsgElement {
        .custom(DeskCustomMessage.branch(.init(header: "Which topic?", items: items.map { .init(content: $0, desc: desc) }, tail: "")))
    }

    /// translation.md §3.1 worked example (its ref was invented; this is sha256("310_55012_1709541000")[:12]).
    @Test func workedExampleCutsTheLongLabelAndListsItInFull() throws {
        let rendering = TencentToGoogle.render([menu(["Delivery status", "Returns and exchanges for online orders"], desc: "")],
                                               msgKey: "310_55012_1709541000", as: bot, offerLiveAgent: true)
        let message = try #require(rendering.messages.first)
        #expect(rendering.menu?.ref == "9a8c2366be51")
        #expect(rendering.menu?.items == ["Delivery status", "Returns and exchanges for online orders"])
        #expect(message.messageId == "tx-9a8c2366be51-0")
        #expect(message.text == "Which topic?\n• Delivery status\n• Returns and exchanges for online orders")
        #expect(message.fallback == "Which topic?\n1. Delivery status\n2. Returns and exchanges for online orders")
        #expect(message.suggestions == [
            .reply(text: "Delivery status", postbackData: "td1:b:9a8c2366be51:0"),
            .reply(text: "Returns and exchanges fo…", postbackData: "td1:b:9a8c2366be51:1"),
            .liveAgentRequest,
        ])
        #expect(message.representative == bot)
    }

    @Test func moreThanThirteenItemsBecomeANumberedList() throws {
        let items = (1...14).map { "Option \($0)" }
        let message = try #require(TencentToGoogle.render([menu(items)], msgKey: "k", as: bot, offerLiveAgent: false).messages.first)
        #expect(message.suggestions == nil)
        #expect(message.text?.hasSuffix("\n14. Option 14") == true)
    }

    @Test func labelsThatCollideAfterCuttingBecomeANumberedList() throws {
        let items = ["A very long option label number one", "A very long option label number two"]
        let message = try #require(TencentToGoogle.render([menu(items)], msgKey: "k", as: bot, offerLiveAgent: false).messages.first)
        #expect(message.suggestions == nil)
        #expect(message.text == "Which topic?\n1. A very long option label number one\n2. A very long option label number two")
    }

    @Test func thirteenItemsLeaveNoRoomForTheLiveAgentChip() throws {
        let message = try #require(TencentToGoogle.render([menu((1...13).map { "Item \($0)" })], msgKey: "k", as: bot, offerLiveAgent: true).messages.first)
        #expect(message.suggestions?.count == 13)
        #expect(message.suggestions?.contains(.liveAgentRequest) == false)
    }

    @Test func longTextIsSplitAtParagraphsWithPartIds() {
        let paragraph = String(repeating: "word ", count: 500)  // 2,500 characters
        let rendering = TencentToGoogle.render([.text(paragraph + "\n\n" + paragraph)], msgKey: "k", as: bot, offerLiveAgent: false)
        #expect(rendering.messages.count == 2)
        #expect(rendering.messages.allSatisfy { ($0.text?.count ?? 0) <= GoogleLimits.textLength })
        #expect(rendering.messages.map(\.messageId) == ["tx-\(Hex.ref12("k"))-0", "tx-\(Hex.ref12("k"))-1"])
    }

    @Test func unbrokenTextIsCutHard() {
        let parts = TencentToGoogle.split(String(repeating: "x", count: 7_000))
        #expect(parts.map(\.count) == [3_072, 3_072, 856])
    }

    @Test func imagesCarryAFallbackAndControlFlagsShowNothing() throws {
        let image = MsgElement.ImageElem(UUID: "u", ImageFormat: 1, ImageInfoArray: [
            .init(Type: 3, Size: 1, Width: 1, Height: 1, URL: "https://cdn.example/t.jpg"),
            .init(Type: 1, Size: 1, Width: 1, Height: 1, URL: "https://cdn.example/o.jpg"),
        ])
        let rendering = TencentToGoogle.render([.image(image), .custom(DeskCustomMessage.sessionEnded), .custom(.init(data: #"{"src":"99"}"#))],
                                               msgKey: "k", as: bot, offerLiveAgent: false)
        let message = try #require(rendering.messages.first)
        #expect(rendering.messages.count == 1)
        #expect(message.image?.contentInfo.fileUrl == "https://cdn.example/o.jpg")
        #expect(message.image?.contentInfo.thumbnailUrl == "https://cdn.example/t.jpg")
        #expect(message.fallback == "Image: https://cdn.example/o.jpg")
    }

    @Test func customMessagesParseWithStringOrNumberSrcAndKeepUnknownOnes() {
        #expect(DeskCustomMessage(data: #"{"customerServicePlugin":0,"src":19}"#) == .sessionEnded)
        #expect(DeskCustomMessage(data: #"{"customerServicePlugin":0,"src":"26","content":{"command":"updateSeatStatus","content":"inSeat"}}"#) == .seatStatus(inSeat: true))
        #expect(DeskCustomMessage(data: #"{"src":"77","x":1}"#) == .unknown(src: "77", json: #"{"src":"77","x":1}"#))
        #expect(DeskCustomMessage(data: "not json") == nil)
        let menu = DeskCustomMessage.branch(.init(header: "h", items: [.init(content: "a")], tail: nil))
        #expect(DeskCustomMessage(data: menu.jsonString) == menu)
    }
}
