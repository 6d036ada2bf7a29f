import Foundation

/// Desk Markdown (src 30/31) → Google's rich-text subset (translation.md §5): bold, italic,
/// https links and line breaks survive; headings become bold lines, list items bullets, tables
/// one line per row; images are split out as separate image messages at their position;
/// everything else is flattened to plain text.
package enum MarkdownToRichText {
    /// One piece of the converted answer, in order.
    package enum Part: Sendable, Equatable {
        /// `rich` uses the subset (send with `containsRichText`); `plain` is the fallback.
        case text(rich: String, plain: String, containsRichText: Bool)
        case image(url: String, alt: String)
    }

    package static func convert(_ markdown: String) -> [Part] {
        let normalized = markdown.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\\n", with: "\n")
        var parts: [Part] = []
        var lines: [String] = []
        var inFence = false
        func flush() {
            let joined = collapseBlankLines(lines.joined(separator: "\n")).trimmingCharacters(in: .whitespacesAndNewlines)
            lines.removeAll()
            guard !joined.isEmpty else { return }
            let plain = plainText(joined)
            let rich = richText(joined)
            parts.append(.text(rich: rich, plain: plain, containsRichText: rich != plain))
        }
        for rawLine in normalized.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            var line = rawLine
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if inFence {
                lines.append(line)
                continue
            }
            // Images split the text: the text before, the image, the text after.
            while let image = firstImage(in: line) {
                let before = String(line[..<image.range.lowerBound])
                if !before.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(before) }
                flush()
                parts.append(.image(url: image.url, alt: image.alt))
                line = String(line[image.range.upperBound...])
            }
            lines.append(blockLine(line))
        }
        flush()
        return parts
    }

    // MARK: - Block level

    private static func blockLine(_ line: String) -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.range(of: #"^(\*\s*){3,}$|^(-\s*){3,}$|^(_\s*){3,}$"#, options: .regularExpression) != nil { return "" }
        if let heading = trimmed.range(of: #"^#{1,6}\s+"#, options: .regularExpression) {
            return "**" + trimmed[heading.upperBound...].trimmingCharacters(in: .whitespaces) + "**"
        }
        if let bullet = trimmed.range(of: #"^[-*+]\s+"#, options: .regularExpression) {
            return "• " + trimmed[bullet.upperBound...]
        }
        if trimmed.hasPrefix(">") { return String(trimmed.drop { $0 == ">" || $0 == " " }) }
        if trimmed.hasPrefix("|") {
            if trimmed.range(of: #"^\|?[\s:|-]+\|?$"#, options: .regularExpression) != nil { return "\u{0}" }  // separator row
            return trimmed.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " · ")
        }
        return line
    }

    private static func collapseBlankLines(_ text: String) -> String {
        var out = text.replacingOccurrences(of: "\u{0}\n", with: "").replacingOccurrences(of: "\u{0}", with: "")
        while out.contains("\n\n\n") { out = out.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return out
    }

    private static func firstImage(in line: String) -> (range: Range<String.Index>, url: String, alt: String)? {
        guard let range = line.range(of: #"!\[[^\]]*\]\([^)\s]+\)"#, options: .regularExpression) else { return nil }
        let match = line[range]
        let alt = match.dropFirst(2).prefix { $0 != "]" }
        let url = match[match.index(after: match.firstIndex(of: "(")!)...].dropLast()
        return (range, String(url), String(alt))
    }

    // MARK: - Inline level

    /// The rich rendering: `**bold**`, `*italic*`, `[label](https://…)` kept; the rest flattened.
    private static func richText(_ text: String) -> String {
        var out = stripHTMLAndCode(text)
        out = replace(out, #"\*\*\*([^*\n]+)\*\*\*|___([^_\n]+)___"#) { "**\($0[1] ?? $0[2] ?? "")**" }
        out = replace(out, #"__([^_\n]+)__"#) { "**\($0[1] ?? "")**" }
        out = replace(out, #"(?<![\w*])_([^_\n]+)_(?![\w])"#) { "*\($0[1] ?? "")*" }
        out = replace(out, #"<(https?://[^>\s]+)>"#) { $0[1] ?? "" }
        out = replace(out, #"\[([^\]]+)\]\(([^)\s]+)\)"#) { groups in
            let label = groups[1] ?? "", url = groups[2] ?? ""
            return url.hasPrefix("https://") ? "[\(label)](\(url))" : "\(label) (\(url))"
        }
        return removeUnmatchedMarkers(out)
    }

    /// The fallback: no markers at all, links as `label (url)`.
    package static func plainText(_ text: String) -> String {
        var out = stripHTMLAndCode(text)
        out = replace(out, #"<(https?://[^>\s]+)>"#) { $0[1] ?? "" }
        out = replace(out, #"\[([^\]]+)\]\(([^)\s]+)\)"#) { "\($0[1] ?? "") (\($0[2] ?? ""))" }
        out = replace(out, #"\*\*\*([^*\n]+)\*\*\*|\*\*([^*\n]+)\*\*|__([^_\n]+)__|___([^_\n]+)___"#) { $0[1] ?? $0[2] ?? $0[3] ?? $0[4] ?? "" }
        out = replace(out, #"(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w])_([^_\n]+)_(?![\w])"#) { $0[1] ?? $0[2] ?? "" }
        return out
    }

    private static func stripHTMLAndCode(_ text: String) -> String {
        var out = replace(text, #"<(?!https?://)[^>\n]+>"#) { _ in "" }
        out = replace(out, #"`([^`\n]*)`"#) { $0[1] ?? "" }
        return out
    }

    /// A lone `*` (after conversion) would make Google reject the rich text; drop it.
    private static func removeUnmatchedMarkers(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var copy = String(line)
            // The index is taken in the copy: one of the line (a slice of the whole text) is not
            // valid in it (found by fuzzing, with text before the line).
            guard copy.filter({ $0 == "*" }).count % 2 == 1, let last = copy.lastIndex(of: "*") else { return copy }
            copy.remove(at: last)
            return copy
        }.joined(separator: "\n")
    }

    private static func replace(_ text: String, _ pattern: String, _ transform: ([String?]) -> String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            let groups = (0..<match.numberOfRanges).map { index -> String? in
                let range = match.range(at: index)
                return range.location == NSNotFound ? nil : ns.substring(with: range)
            }
            out += transform(groups)
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }
}
