import DeskBridgeCore
import Foundation
import Testing

@Suite("Webhook decoding: every payload kind from recorded fixtures")
struct WebhookDecodingTests {
    @Test func userTextWithContextAndNanosecondTimestamps() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("message")) else { Issue.record("not an event"); return }
        #expect(hook.conversationId == "c0ffee00-1111-2222-3333-444455556666")
        #expect(hook.requestId == "rq-90417")
        #expect(hook.context?.locale == "de")
        #expect(hook.context?.userInfo?.displayName == "Rosa")
        guard case .message(let message) = hook.payload else { Issue.record("not a message"); return }
        #expect(message.text == "My parcel has not arrived")
        #expect(message.createTime?.nanos == 123_456_789)
        #expect(message.createTime?.seconds == 1_709_540_102)
        #expect(hook.sendTime?.nanos == 1)
        #expect(hook.dedupeKeys == ["req:rq-90417", "msg:brands/8f1c/agents/77aa/c0ffee00-1111-2222-3333-444455556666:m-5501"])
    }

    @Test func imageArrivesAsSignedStorageURL() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("image-message")),
            case .message(let message) = hook.payload
        else { Issue.record("not a message"); return }
        #expect(message.isImageURL)
        #expect(message.createTime?.nanos == 227_000_000)
    }

    @Test func chipTapReadsSuggestionTypeSpelling() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("suggestion-response")),
            case .suggestionResponse(let tap) = hook.payload
        else { Issue.record("not a suggestion response"); return }
        #expect(tap.postbackData == "td1:b:3f9a0c1d2e3f:0")
        #expect(tap.suggestionType == "REPLY")
        #expect(Postback(tap.postbackData!) == Postback(kind: .branch, ref: "3f9a0c1d2e3f", index: 0))
    }

    @Test func typingAsStringAndOffsetTimestamp() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("typing-string")),
            case .userStatus(let status) = hook.payload
        else { Issue.record("not a user status"); return }
        #expect(status.isTyping == true)
        #expect(status.requestedLiveAgent == nil)
        // 08:16:30.5+01:00 is 07:16:30.5Z
        #expect(status.createTime == GoogleTimestamp(rfc3339: "2024-03-04T07:16:30.500Z"))
    }

    @Test func liveAgentRequest() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("live-agent")),
            case .userStatus(let status) = hook.payload
        else { Issue.record("not a user status"); return }
        #expect(status.requestedLiveAgent == true)
    }

    @Test func batchedReceiptsWithoutRequestIdDedupeOnTheirContent() throws {
        guard case .event(let hook) = try WebhookBody.decode(try Fixture.data("receipts")),
            case .receipts(let receipts) = hook.payload
        else { Issue.record("not receipts"); return }
        #expect(receipts.receipts.map(\.receiptType) == ["READ", "DELIVERED"])
        #expect(hook.requestId == nil)
        #expect(hook.dedupeKeys.count == 1)
        #expect(hook.dedupeKeys[0].hasPrefix("rcpt:"))
    }

    @Test func surveyAndAuthenticationResponses() throws {
        guard case .event(let survey) = try WebhookBody.decode(try Fixture.data("survey-response")),
            case .surveyResponse(let response) = survey.payload
        else { Issue.record("not a survey response"); return }
        #expect(response.rating == "VERY_SATISFIED")
        #expect(response.surveyTriggerSource == "GOOGLE")
        guard case .event(let auth) = try WebhookBody.decode(try Fixture.data("authentication-response")) else { Issue.record("not an event"); return }
        #expect(auth.payload == .authenticationResponse)
    }

    @Test func handshakeIsRecognisedByItsKeys() throws {
        #expect(try WebhookBody.decode(try Fixture.data("handshake")) == .handshake(clientToken: "TESTCLIENTTOKEN1", secret: "s3cr3t-from-google"))
    }

    @Test(arguments: [
        ("no-payload", WebhookDecodingError.noKnownPayload),
        ("missing-conversation", WebhookDecodingError.invalidField("conversationId", "is missing")),
    ])
    func malformedFixturesNameTheProblem(name: String, expected: WebhookDecodingError) throws {
        #expect(throws: expected) { try WebhookBody.decode(try Fixture.data(name)) }
    }

    @Test func notJSONAndNotAnObject() {
        #expect(throws: WebhookDecodingError.notJSON) { try WebhookBody.decode(Data("{nope".utf8)) }
        #expect(throws: WebhookDecodingError.notAnObject) { try WebhookBody.decode(Data("[1,2]".utf8)) }
    }
}

@Suite("Google timestamps")
struct GoogleTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0), Int32(0)),
        ("2024-03-04T08:15:02.123456789Z", Int64(1_709_540_102), Int32(123_456_789)),
        ("2024-02-29T23:59:59.1Z", Int64(1_709_251_199), Int32(100_000_000)),
        ("2024-03-04T09:15:02-01:00", Int64(1_709_547_302), Int32(0)),
    ])
    func parsesRFC3339(text: String, seconds: Int64, nanos: Int32) {
        #expect(GoogleTimestamp(rfc3339: text) == GoogleTimestamp(seconds: seconds, nanos: nanos))
    }

    @Test(arguments: ["2024-03-04", "2024-03-04T08:15:02", "2024-13-04T08:15:02Z", "2024-03-04T08:15:02.1234567891Z", "2024-03-04T08:15:02.Z"])
    func rejectsMalformed(text: String) {
        #expect(GoogleTimestamp(rfc3339: text) == nil)
    }
}

/// Google's own webhook test tool (`business-messages-test-framework`) sends its payloads with
/// placeholders in the informational fields; each must be accepted with those fields absent.
/// Read from `../shared/fixtures` at run time, never copied into the repository.
@Suite("Webhooks of Google's test tool")
struct GoogleTestToolWebhookTests {
    static let folder: URL = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("shared/fixtures/google-test-framework")
    }()

    static let names = ["authentication-request", "event-receive", "image-message", "read-receipt", "suggestion-message",
                        "text-message", "text-with-dialogflow-response", "user-receipt"]

    @Test(arguments: names)
    func decodesWithUnreadableFieldsNamedAndAbsent(name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("\(name).json"))
        guard case .event(let hook) = try WebhookBody.decode(data) else { Issue.record("not an event"); return }
        #expect(hook.sendTime == nil)
        #expect(hook.unreadableFields.contains("sendTime"))
        #expect(hook.unreadableFields.allSatisfy { $0.hasSuffix("Time") || $0.hasSuffix("isTyping") || $0.hasSuffix("requestedLiveAgent") })
    }

    @Test func typingPlaceholdersAreAbsent() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("event-receive.json"))
        guard case .event(let hook) = try WebhookBody.decode(data), case .userStatus(let status) = hook.payload else {
            Issue.record("not a user status"); return
        }
        #expect(status.isTyping == nil && status.requestedLiveAgent == nil && status.createTime == nil)
        #expect(Set(hook.unreadableFields) == ["sendTime", "userStatus.isTyping", "userStatus.requestedLiveAgent", "userStatus.createTime"])
    }
}

@Suite("Webhook validation: identifiers kept whole, empty payloads refused")
struct WebhookValidationTests {
    func event(_ fields: String) -> Data {
        Data(#"{"agent":"brands/b/agents/a","conversationId":"c-1","requestId":"r-1",\#(fields)}"#.utf8)
    }

    @Test(arguments: [
        (#""conversationId":"victim\u0000attacker","message":{"messageId":"m","text":"hi"}"#, "conversationId"),
        (#""conversationId":"c-1","customAgentId":"x\u0007","message":{"messageId":"m","text":"hi"}"#, "customAgentId"),
        (#""conversationId":"c-1","requestId":"R\u0000x","message":{"messageId":"m","text":"hi"}"#, "requestId"),
        (#""conversationId":"c-1","message":{"messageId":"m\u001b[2J","text":"hi"}"#, "message.messageId"),
        (#""conversationId":"c-1","receipts":{"receipts":[{"message":"conversations/c/messages/m\u0085","receiptType":"READ"}]}"#, "receipts.receipts[0].message"),
    ])
    func identifiersWithControlCharactersAreRefused(fields: String, path: String) {
        let body = Data(#"{"agent":"brands/b/agents/a",\#(fields)}"#.utf8)
        #expect(throws: WebhookDecodingError.invalidField(path, "contains a control character")) { try WebhookBody.decode(body) }
    }

    @Test func aMessageWithoutTextIsRefused() {
        #expect(throws: WebhookDecodingError.invalidField("message.text", "is missing")) {
            try WebhookBody.decode(event(#""message":{"messageId":null,"text":null}"#))
        }
    }

    @Test func aTapNamingNothingIsRefused() {
        #expect(throws: WebhookDecodingError.invalidField("suggestionResponse", "has neither postbackData nor text")) {
            try WebhookBody.decode(event(#""suggestionResponse":{"message":null,"postbackData":null,"text":null}"#))
        }
    }

    @Test func unicodeTextAndIdentifiersAreKept() throws {
        guard case .event(let hook) = try WebhookBody.decode(event(#""message":{"messageId":"m-ü","text":"tab\there"}"#)),
              case .message(let message) = hook.payload else { Issue.record("not a message"); return }
        #expect(message.messageId == "m-ü")
        #expect(message.text == "tab\there", "control characters in user text are content, not identifiers")
    }
}
