import Foundation

/// The `chatbot` node's matching: an exact question (ignoring case, spaces and trailing
/// punctuation) or a keyword answers; a close question gets a "did you mean" card.
package struct FAQMatcher: Sendable {
    package enum Match: Sendable, Equatable {
        case answer(index: Int)
        case clarify(indices: [Int])
        case none
    }

    let questions: [FlowNode.QuestionAnswer]
    /// Share of a question's words the input must contain to be offered as "did you mean".
    static let closeness = 0.5

    package init(questions: [FlowNode.QuestionAnswer]) { self.questions = questions }

    package func match(_ input: String) -> Match {
        let folded = Self.fold(input)
        guard !folded.isEmpty else { return .none }
        if let exact = questions.firstIndex(where: { Self.fold($0.question) == folded }) { return .answer(index: exact) }
        let words = Self.words(folded)
        if let keyword = questions.firstIndex(where: { ($0.keywords ?? []).contains { words.contains(Self.fold($0)) || folded.contains(Self.fold($0)) && Self.fold($0).contains(" ") } }) {
            return .answer(index: keyword)
        }
        let scored = questions.enumerated().map { index, qa -> (Int, Double) in
            let question = Self.words(Self.fold(qa.question))
            guard !question.isEmpty else { return (index, 0) }
            return (index, Double(question.intersection(words).count) / Double(question.count))
        }.filter { $0.1 >= Self.closeness }.sorted { $0.1 > $1.1 }
        return scored.isEmpty ? .none : .clarify(indices: scored.prefix(3).map(\.0))
    }

    static func fold(_ text: String) -> String {
        text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func words(_ folded: String) -> Set<String> {
        Set(folded.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count > 2 })
    }
}
