import Foundation

/// How a Google-style call reads in a transcript: `BOT: text [chip | chip]`, `HUMAN Lena: text`,
/// `JOINED Lena`, `LEFT Lena`, `TYPING_STARTED Lena`.
package enum Transcript {
    package static func line(_ json: [String: Any]) -> String {
        let representative = json["representative"] as? [String: Any]
        let name = representative?["displayName"] as? String ?? ""
        if let event = json["eventType"] as? String {
            let short = ["REPRESENTATIVE_JOINED": "JOINED", "REPRESENTATIVE_LEFT": "LEFT"][event] ?? event
            return "\(short) \(name)"
        }
        let who = representative?["representativeType"] as? String == "HUMAN" ? "HUMAN \(name)" : "BOT"
        var text = json["text"] as? String ?? json["fallback"] as? String ?? ""
        if let card = (json["richCard"] as? [String: Any])?["standaloneCard"] as? [String: Any],
            let content = card["cardContent"] as? [String: Any] {
            text = "[card] " + (content["title"] as? String ?? "")
        } else if let image = json["image"] as? [String: Any], let info = image["contentInfo"] as? [String: Any] {
            text = "[image] " + (info["fileUrl"] as? String ?? "")
        }
        let chips = (json["suggestions"] as? [[String: Any]] ?? []).map { chip -> String in
            if let reply = chip["reply"] as? [String: Any] { return reply["text"] as? String ?? "" }
            if let action = chip["action"] as? [String: Any] { return action["text"] as? String ?? "" }
            return "live agent"
        }
        return "\(who): \(text.replacingOccurrences(of: "\n", with: " / "))" + (chips.isEmpty ? "" : " [\(chips.joined(separator: " | "))]")
    }
}
