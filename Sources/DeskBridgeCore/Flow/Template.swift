/// `${Name}` substitution for flow texts and prompts (CONTRACT §2), plus the queue prompt's
/// `$QueuePosition` / `$WaitNo` spelling (T§7). Unknown names render as the empty string.
package enum Template {
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
