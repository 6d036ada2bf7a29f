/// `${Name}` substitution for flow texts and prompts (CONTRACT §2), plus the queue prompt's
/// `$QueuePosition` / `$WaitNo` spelling (T§7). Unknown names render as the empty string.
package enum Template {
    /// The variables the desk sets itself (CONTRACT §2 and the seeds' names); flows add their own.
    package static let systemVariables: Set<String> = [
        "SystemSessionId", "SystemClientUserID", "UserName", "Locale", "EntryPoint", "PlaceId", "ChannelId", "ChannelName",
        "ClientAppID", "ClientAppName", "WaitNo", "QueuePosition", "StaffNo", "StaffNickName",
    ]

    /// The names `${name}` placeholders in `text` refer to, in order.
    package static func variableNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            names.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    package static func render(_ text: String, _ variables: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                out += rest[open.lowerBound...]
                return out
            }
            out += variables[String(rest[open.upperBound..<close])] ?? ""
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        for name in ["QueuePosition", "WaitNo"] {
            if let value = variables[name] { out = out.replacingOccurrences(of: "$" + name, with: value) }
        }
        return out
    }
}
