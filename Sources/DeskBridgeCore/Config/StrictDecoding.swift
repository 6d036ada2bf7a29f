import Foundation
import Synchronization

/// Problems found while decoding the configuration, each with its key path.
///
/// Decoding reports unknown keys here instead of throwing, so `check-config` can list every
/// problem at once rather than only the first.
package final class ConfigProblemSink: Sendable {
    private let problems = Mutex<[ConfigProblem]>([])

    package init() {}

    package func report(_ path: String, _ message: String) {
        problems.withLock { $0.append(ConfigProblem(path: path, message: message)) }
    }

    package var all: [ConfigProblem] { problems.withLock { $0 } }

    package static let userInfoKey = CodingUserInfoKey(rawValue: "deskbridge.config.problems")!

    /// The sink of the decoding in progress, for `value(_:default:)`, which cannot see the
    /// decoder's `userInfo`.
    @TaskLocal package static var current: ConfigProblemSink?
}

/// One configuration problem: `flows.main.nodes.menu.items[1].next: unknown node "hmn"`.
package struct ConfigProblem: Sendable, Equatable, CustomStringConvertible, Error {
    package var path: String
    package var message: String
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// The problem a decoding error describes, at its key path.
    package init(decoding error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: KeyPath.render(context.codingPath + [key]), message: "required key is missing")
        case .typeMismatch(let type, let context):
            self.init(path: KeyPath.render(context.codingPath), message: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(path: KeyPath.render(context.codingPath), message: "expected \(Self.describe(type)), found nothing")
        case .dataCorrupted(let context):
            self.init(path: KeyPath.render(context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(path: "", message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is SkillGroupID.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type, is AgentID.Type: "a string"
        default: "a value of type \(type)"
        }
    }
}

/// A coding key for any string, used to see every key a mapping has.
package struct AnyCodingKey: CodingKey, Hashable {
    package var stringValue: String
    package var intValue: Int?
    package init(_ string: String) { stringValue = string }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

package enum KeyPath {
    /// `a.b[1].c` from a coding path: maps by key, lists by index.
    package static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }
}

extension Decoder {
    /// A keyed container that first reports any key not in `Keys` as unknown.
    package func strictContainer<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let everything = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in everything.allKeys where !known.contains(key.stringValue) {
            let path = KeyPath.render(codingPath + [key])
            if let sink = userInfo[ConfigProblemSink.userInfoKey] as? ConfigProblemSink {
                sink.report(path, "unknown key")
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "unknown key"))
            }
        }
        return try container(keyedBy: Keys.self)
    }
}

extension KeyedDecodingContainer {
    /// `decodeIfPresent` with a default, so every key can be omitted. While a configuration is
    /// being checked (`ConfigProblemSink.current`), a value that does not decode is reported
    /// and the default stands in, so the rest of the file is still checked.
    package func value<T: Decodable>(_ key: Key, default fallback: @autoclosure () -> T) throws -> T {
        do {
            return try decodeIfPresent(T.self, forKey: key) ?? fallback()
        } catch let error as DecodingError {
            guard let sink = ConfigProblemSink.current else { throw error }
            let problem = ConfigProblem(decoding: error)
            sink.report(problem.path, problem.message)
            return fallback()
        }
    }
}
