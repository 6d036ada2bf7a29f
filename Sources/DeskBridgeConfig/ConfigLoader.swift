import DeskBridgeCore
import Foundation
import Yams

/// Where `storage.url` points, parsed once: the one place that reads the URL's scheme.
package enum StorageLocation: Sendable, Equatable {
    /// `sqlite:PATH`, the path as written (relative to the config file's folder).
    case sqlite(path: String)
    case postgres(PostgresSettings)
    /// Neither: the validator names what is wrong.
    case unsupported(scheme: String)
    case invalidPostgres(PostgresSettings.ParseError)

    package init(url: String) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            switch PostgresSettings.parse(url) {
            case .success(let settings): self = .postgres(settings)
            case .failure(let problem): self = .invalidPostgres(problem)
            }
        } else if url.hasPrefix("sqlite:"), url.count > "sqlite:".count {
            self = .sqlite(path: String(url.dropFirst("sqlite:".count)))
        } else {
            self = .unsupported(scheme: url.contains(":") ? String(url.split(separator: ":", maxSplits: 1).first ?? "") : "")
        }
    }
}

/// A configuration that passed every check, with the folder relative paths resolve against.
package struct LoadedConfig: Sendable {
    package var config: DeskBridgeConfig
    package var directory: URL
    /// `storage.url`, parsed once at load.
    package let storage: StorageLocation
    /// A digest of each top-level section as written, to tell a reload which sections changed.
    package var sectionDigests: [String: String] = [:]

    package init(config: DeskBridgeConfig, directory: URL) {
        self.config = config
        self.directory = directory
        storage = StorageLocation(url: config.storage.url)
    }

    /// `storage.url`'s SQLite file, resolved against the config folder.
    package var sqlitePath: String? {
        guard case .sqlite(let path) = storage else { return nil }
        return resolve(path)
    }

    /// `storage.url`'s PostgreSQL connection.
    package var postgres: PostgresSettings? {
        guard case .postgres(let settings) = storage else { return nil }
        return settings
    }

    /// A path from the config, relative to the config file's folder.
    package func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Every problem found, one per line, each naming its key path.
package struct ConfigErrors: Error, CustomStringConvertible {
    package var problems: [ConfigProblem]
    package init(problems: [ConfigProblem]) { self.problems = problems }
    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads `deskbridge.yaml`: `${env:NAME}` substitution, strict keys, then semantic checks.
package enum ConfigLoader {
    package static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<LoadedConfig, ConfigErrors> {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "", message: "cannot read config file \(path): it is a folder")]))
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "permission denied" : "no such file (pass --config FILE or set DESKBRIDGE_CONFIG)"
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "", message: "cannot read config file \(path): \(reason)")]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "", message: "cannot read config file \(path): it is not UTF-8 text")]))
        }
        return parse(yaml: text, directory: url.deletingLastPathComponent(), environment: environment)
    }

    package static func parse(yaml: String, directory: URL, environment: [String: String]) -> Result<LoadedConfig, ConfigErrors> {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return .failure(ConfigErrors(problems: [ConfigProblem(path: "", message: "config file is empty")]))
            }
            root = node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let parent = parentPath(of: context.mark, in: yaml)
            return .failure(ConfigErrors(problems: duplicates.map { key in
                ConfigProblem(path: parent.isEmpty ? key : "\(parent).\(key)", message: "the key appears more than once (first at line \(context.mark.line))")
            }))
        } catch {
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "", message: "not valid YAML: \(error)")]))
        }
        let sink = ConfigProblemSink()
        let substituted = EnvironmentSubstitution(environment: environment, sink: sink).apply(root, path: "")
        let config: DeskBridgeConfig
        do {
            // With the sink in scope, a value of the wrong type is reported and decoding goes on,
            // so one run lists every problem.
            config = try ConfigProblemSink.$current.withValue(sink) {
                try YAMLDecoder().decode(DeskBridgeConfig.self, from: substituted, userInfo: [ConfigProblemSink.userInfoKey: sink])
            }
        } catch let error as DecodingError {
            return .failure(ConfigErrors(problems: sink.all + [ConfigProblem(decoding: error)]))
        } catch {
            return .failure(ConfigErrors(problems: sink.all + [ConfigProblem(path: "", message: "\(error)")]))
        }
        // One digest per top-level section: `flows`' is the flows version a session remembers.
        let digests = sectionDigests(substituted)
        var versioned = config
        versioned.flows.version = digests["flows"] ?? ""
        var loaded = LoadedConfig(config: versioned, directory: directory)
        loaded.sectionDigests = digests
        let problems = sink.all + ConfigValidator(loaded: loaded).problems()
        return problems.isEmpty ? .success(loaded) : .failure(ConfigErrors(problems: problems))
    }

    /// A digest of each top-level section as written (its YAML, re-serialised), so the same
    /// section has the same digest in every process and after every restart.
    static func sectionDigests(_ root: Node) -> [String: String] {
        var digests: [String: String] = [:]
        for (key, value) in root.mapping ?? [:] {
            guard let name = key.string, let text = try? Yams.serialize(node: value) else { continue }
            digests[name] = String(Hex.sha256(text).prefix(16))
        }
        return digests
    }

    /// The key path of the mapping that starts at `mark`, read off the block-style text above it
    /// (each enclosing key is the nearest line above that is indented less).
    static func parentPath(of mark: Mark, in yaml: String) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard mark.line >= 1, mark.line <= lines.count else { return "" }
        func key(_ line: Substring) -> String? {
            let text = line.trimmingCharacters(in: .whitespaces).drop { $0 == "-" || $0 == " " }
            guard let colon = text.firstIndex(of: ":") else { return nil }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return name.isEmpty || name.contains(" ") ? nil : name
        }
        var path: [String] = []
        let markLine = lines[mark.line - 1]
        // A flow mapping (`desk: { a: 1, a: 2 }`) is under the key before it on its own line.
        let before = markLine.prefix(max(0, mark.column - 1))
        if before.contains("{"), let name = key(before[..<before.lastIndex(of: "{")!]) { path.append(name) }
        var indent = markLine.prefix { $0 == " " }.count
        for line in lines[..<(mark.line - 1)].reversed() {
            let lineIndent = line.prefix { $0 == " " }.count
            guard lineIndent < indent, !line.trimmingCharacters(in: .whitespaces).isEmpty, let name = key(Substring(line)) else { continue }
            path.append(name)
            indent = lineIndent
            if indent == 0 { break }
        }
        return path.reversed().joined(separator: ".")
    }
}

/// Replaces `${env:NAME}` in every scalar, reporting unset variables with their key path.
/// `${env:NAME:-default}` uses `default` when NAME is unset or empty (as in the shell).
struct EnvironmentSubstitution {
    let environment: [String: String]
    let sink: ConfigProblemSink

    func apply(_ node: Node, path: String) -> Node {
        switch node {
        case .scalar(var scalar):
            scalar.string = substitute(scalar.string, path: path)
            return .scalar(scalar)
        case .mapping(let mapping):
            let pairs = mapping.map { key, value in
                let name = key.string ?? "?"
                return (key, apply(value, path: path.isEmpty ? name : "\(path).\(name)"))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            let nodes = sequence.enumerated().map { index, child in apply(child, path: "\(path)[\(index)]") }
            return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    private func substitute(_ text: String, path: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${env:") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let reference = String(rest[open.upperBound..<close])
            let parts = reference.components(separatedBy: ":-")
            let name = parts[0]
            if let value = environment[name], !(parts.count > 1 && value.isEmpty) {
                out += value
            } else if parts.count > 1 {
                out += parts.dropFirst().joined(separator: ":-")
            } else {
                sink.report(path, "environment variable \(name) is not set")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
