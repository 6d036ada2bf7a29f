import DeskBridgeCore
import Foundation

/// Builds Google-style webhook bodies and Tencent-style desk calls the way the real senders do.
package enum Wire {
    package static let clientToken = "TESTCLIENTTOKEN1"
    package static let deskSecret = "desk-secret-for-tests"
    /// Omar's and the administrator's password accounts in the test configuration.
    package static let omarPassword = "omar's correct horse"
    package static let adminPassword = "admin battery staple"
    /// At scrypt's lowest accepted cost: a debug build derives the standard cost in about a second.
    package static let omarPasswordHash = try! PasswordHash.make(omarPassword, cost: (10, 8, 1)).encoded
    package static let adminPasswordHash = try! PasswordHash.make(adminPassword, cost: (10, 8, 1)).encoded
    /// `webChannels[0].identitySecret`: signs the user ids a business vouches for.
    package static let webIdentitySecret = "web-identity-secret-for-tests"
    package static let sdkAppId = 1_400_000_000
    package static let googleAgent = "brands/b1/agents/a1"

    /// A webhook body for `payload` (the JSON of one payload key and its value).
    package static func webhook(conversation: String, requestId: String?, payload: [String: Any], agent: String = googleAgent,
                                displayName: String = "Rosa") -> Data {
        var body: [String: Any] = [
            "agent": agent, "conversationId": conversation, "sendTime": "2024-03-04T08:15:03.000000001Z",
            "context": ["userInfo": ["displayName": displayName, "userDeviceLocale": "de-DE"], "entryPoint": "MAPS", "placeId": "ChIJ1"],
        ]
        if let requestId { body["requestId"] = requestId }
        body.merge(payload) { _, new in new }
        return try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    package static func text(_ text: String, conversation: String, requestId: String? = UUID().uuidString, messageId: String = UUID().uuidString) -> Data {
        webhook(conversation: conversation, requestId: requestId,
                payload: ["message": ["messageId": messageId, "text": text, "createTime": "2024-03-04T08:15:02.123456789Z"]])
    }

    package static func chip(_ postback: String, text: String, conversation: String) -> Data {
        webhook(conversation: conversation, requestId: UUID().uuidString,
                payload: ["suggestionResponse": ["postbackData": postback, "text": text, "type": "REPLY", "createTime": "2024-03-04T08:16:00Z"]])
    }

    package static func signature(_ body: Data, key: String = clientToken) -> String {
        WebhookSignatureVerifier.sign(body: body, key: key)
    }

    package static func clientUserId(_ conversation: String, agent: String = googleAgent) -> String {
        ClientUserID.derive(agent: agent, conversationId: conversation).rawValue
    }

    /// The query string of a desk API call made by `identifier`.
    package static func deskQuery(identifier: String, secret: String = deskSecret, issuedAt: Int64 = Int64(Date().timeIntervalSince1970), expire: Int64 = 3_600) -> String {
        let sig = UserSig.generate(identifier: identifier, sdkAppId: sdkAppId, secretKey: secret, issuedAt: issuedAt, expireSeconds: expire)
        let escaped = identifier.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? identifier
        return "sdkappid=\(sdkAppId)&identifier=\(escaped)&usersig=\(sig)&random=7&contenttype=json"
    }

    package static func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    package static func textBody(_ text: String) -> [[String: Any]] {
        [["MsgType": "TIMTextElem", "MsgContent": ["Text": text]]]
    }
}
