import Foundation

/// A `condition` node's `when`: `==, !=, >, <, >=, <=, &&, ||`, parentheses, numbers and
/// quoted strings; bare names are flow variables. The seeds' own form works too: `:Course ==
/// Chinese`, where a leading colon names a variable and an unquoted word on the right of a
/// comparison is that word when no variable of that name is set. Parsed once (check-config
/// reports errors), evaluated against the variables at the moment of the decision.
package indirect enum ConditionExpression: Sendable, Equatable {
    case and(ConditionExpression, ConditionExpression)
    case or(ConditionExpression, ConditionExpression)
    case compare(Operand, Comparison, Operand)
    /// A lone operand is true when it is non-empty and not "false" or "0".
    case truthy(Operand)

    package enum Operand: Sendable, Equatable {
        case variable(String)
        case string(String)
        case number(Double)
        /// A bare word on the right of a comparison: the variable when set, else the word.
        case word(String)
    }

    package enum Comparison: String, Sendable, CaseIterable { case eq = "==", ne = "!=", ge = ">=", le = "<=", gt = ">", lt = "<" }

    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    // MARK: Evaluation

    package func evaluate(_ variables: [String: String]) -> Bool {
        switch self {
        case .and(let a, let b): return a.evaluate(variables) && b.evaluate(variables)
        case .or(let a, let b): return a.evaluate(variables) || b.evaluate(variables)
        case .truthy(let operand):
            let value = Self.text(operand, variables)
            return !value.isEmpty && value != "false" && value != "0"
        case .compare(let lhs, let op, let rhs):
            let (a, b) = (Self.text(lhs, variables), Self.text(rhs, variables))
            // Numbers compare as numbers when both sides are numbers; otherwise as text.
            if let x = Double(a.trimmingCharacters(in: .whitespaces)), let y = Double(b.trimmingCharacters(in: .whitespaces)) {
                return Self.apply(op, x, y)
            }
            return Self.apply(op, a, b)
        }
    }

    private static func text(_ operand: Operand, _ variables: [String: String]) -> String {
        switch operand {
        case .variable(let name): variables[name] ?? ""
        case .word(let name): variables[name] ?? name
        case .string(let text): text
        // A whole number prints without ".0"; one past Int64 (found by fuzzing) prints as a Double.
        case .number(let number): Int64(exactly: number).map(String.init) ?? String(number)
        }
    }

    private static func apply<T: Comparable>(_ op: Comparison, _ a: T, _ b: T) -> Bool {
        switch op {
        case .eq: a == b
        case .ne: a != b
        case .gt: a > b
        case .lt: a < b
        case .ge: a >= b
        case .le: a <= b
        }
    }

    // MARK: Parsing (recursive descent: or → and → comparison → primary)

    package static func parse(_ text: String) throws(ParseError) -> ConditionExpression {
        var parser = Parser(tokens: try tokenize(text))
        let expression = try parser.orExpression()
        guard parser.index == parser.tokens.count else { throw ParseError(message: "unexpected \(parser.tokens[parser.index]) in condition") }
        return expression
    }

    enum Token: Equatable, CustomStringConvertible {
        /// `explicit`: written with the seeds' leading colon (`:Course`), always a variable.
        case name(String, explicit: Bool = false), string(String), number(Double), op(String), open, close
        var description: String {
            switch self {
            case .name(let n, _): "\"\(n)\""
            case .string(let s): "'\(s)'"
            case .number(let n): "\(n)"
            case .op(let o): "\"\(o)\""
            case .open: "\"(\""
            case .close: "\")\""
            }
        }
    }

    static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(" { tokens.append(.open); i += 1; continue }
            if c == ")" { tokens.append(.close); i += 1; continue }
            if c == "\"" || c == "'" {
                var j = i + 1
                var value = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    value.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw ParseError(message: "unterminated string in condition") }
                tokens.append(.string(value))
                i = j + 1
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
            if ["==", "!=", ">=", "<=", "&&", "||"].contains(two) { tokens.append(.op(two)); i += 2; continue }
            if c == ">" || c == "<" { tokens.append(.op(String(c))); i += 1; continue }
            if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                guard let number = Double(String(chars[i..<j])) else { throw ParseError(message: "bad number in condition") }
                tokens.append(.number(number))
                i = j
                continue
            }
            let colonName = c == ":" && i + 1 < chars.count && (chars[i + 1].isLetter || chars[i + 1] == "_")
            if c.isLetter || c == "_" || c == "$" || colonName {
                if colonName { i += 1 }
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "$" || chars[j] == "{" || chars[j] == "}" { j += 1 }
                var name = String(chars[i..<j])
                if name.hasPrefix("${"), name.hasSuffix("}") { name = String(name.dropFirst(2).dropLast()) }
                tokens.append(.name(name, explicit: colonName))
                i = j
                continue
            }
            throw ParseError(message: "unexpected character \"\(c)\" in condition")
        }
        guard !tokens.isEmpty else { throw ParseError(message: "empty condition") }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        var index = 0

        mutating func orExpression() throws(ParseError) -> ConditionExpression {
            var left = try andExpression()
            while index < tokens.count, tokens[index] == .op("||") {
                index += 1
                left = .or(left, try andExpression())
            }
            return left
        }

        mutating func andExpression() throws(ParseError) -> ConditionExpression {
            var left = try comparison()
            while index < tokens.count, tokens[index] == .op("&&") {
                index += 1
                left = .and(left, try comparison())
            }
            return left
        }

        mutating func comparison() throws(ParseError) -> ConditionExpression {
            if index < tokens.count, tokens[index] == .open {
                index += 1
                let inner = try orExpression()
                guard index < tokens.count, tokens[index] == .close else { throw ParseError(message: "missing \")\" in condition") }
                index += 1
                return inner
            }
            let lhs = try operand()
            guard index < tokens.count, case .op(let symbol) = tokens[index], let op = Comparison(rawValue: symbol) else { return .truthy(lhs) }
            index += 1
            var rhs = try operand()
            if case .name(let name, false) = tokens[index - 1] { rhs = .word(name) }
            return .compare(lhs, op, rhs)
        }

        mutating func operand() throws(ParseError) -> Operand {
            guard index < tokens.count else { throw ParseError(message: "condition ends too early") }
            defer { index += 1 }
            switch tokens[index] {
            case .name(let name, _): return .variable(name)
            case .string(let text): return .string(text)
            case .number(let number): return .number(number)
            default: throw ParseError(message: "expected a value, found \(tokens[index])")
            }
        }
    }
}
