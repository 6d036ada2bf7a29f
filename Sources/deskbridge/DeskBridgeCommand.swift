import ArgumentParser
import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgeServer
import DeskBridgeReplay
import DeskBridgeSQLite
import Hummingbird
import NIOCore
import Foundation
import Logging
import Metrics
import Prometheus

@main
struct DeskBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deskbridge",
        abstract: "A self-hosted customer-service desk bridging Google-style Business Messages and a Tencent-style desk.",
        subcommands: [Serve.self, CheckConfig.self, Replay.self, HashPassword.self]
    )
}

/// `--config FILE`, else `DESKBRIDGE_CONFIG`, else `config/deskbridge.yaml`.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $DESKBRIDGE_CONFIG or config/deskbridge.yaml).")
    var config: String?

    var path: String { config ?? ProcessInfo.processInfo.environment["DESKBRIDGE_CONFIG"] ?? "config/deskbridge.yaml" }

    /// Loads and validates, or prints one line per problem to stderr and exits 1.
    func load() throws -> LoadedConfig {
        switch ConfigLoader.load(path: path) {
        case .success(let loaded):
            return loaded
        case .failure(let errors):
            for problem in errors.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service. Stops gracefully on SIGTERM or SIGINT; SIGHUP reloads the flows.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let loaded = try options.load()
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var overrides = ApplicationOverrides()
        overrides.registry = registry
        overrides.configFile = (options.path, ProcessInfo.processInfo.environment)
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(loaded, logger: Logger(label: "deskbridge"), overrides: overrides)
        } catch let error as SQLiteFileLock.Held {
            exit(with: "deskbridge: \(error)")
        }
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            exit(with: "deskbridge: cannot listen on \(loaded.config.server.host):\(loaded.config.server.port): the address is already in use")
        }
    }

    /// One line on stderr and exit status 1: a start-up problem a person can act on.
    private func exit(with line: String) -> Never {
        FileHandle.standardError.write(Data((line + "\n").utf8))
        Foundation.exit(1)
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and every flow; one line per problem, naming its key path.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let loaded = try options.load()
        let config = loaded.config
        let nodes = config.flows.flows.values.reduce(0) { $0 + $1.nodes.count }
        print("""
            \(options.path): OK
              storage: \(loaded.sqlitePath.map { "SQLite \($0)" } ?? loaded.postgres.map { "PostgreSQL \($0)" } ?? "?")
              listen: \(config.server.host):\(config.server.port)
              flows: \(config.flows.flows.count) (\(nodes) nodes), default \(config.flows.resolvedDefault ?? "-")
              skill groups: \(config.desk.skillGroups.count), agents: \(config.desk.agents.count)
              assignment: \(config.desk.assignment.strategy.rawValue)
            """)
    }
}

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay recorded conversations against a fresh instance with local stand-ins; exit 1 on any mismatch.")
    @Argument(help: "Recorded conversations (the format is in the README).") var files: [String]
    @Option(name: .long, help: "Configuration for recordings that carry none of their own.") var config: String?

    func run() async throws {
        let base = try config.map { path -> String in
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
        var failed: [String] = []
        for file in files {
            do {
                let ok = try await ReplayRunner(output: { print($0) }).run(file: file, baseConfig: base)
                if !ok { failed.append(file) }
            } catch {
                print("✘ \(file): \(error)")
                failed.append(file)
            }
        }
        print(failed.isEmpty ? "\(files.count) recording(s) replayed as recorded" : "\(failed.count) of \(files.count) recording(s) differ: \(failed.joined(separator: ", "))")
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

struct HashPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Read a password (from the terminal without echo, or one line of standard input) and print its hash for passwordHash.")

    func run() async throws {
        let password: String?
        if isatty(STDIN_FILENO) == 1 {
            password = getpass("Password: ").map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else { throw ValidationError("no password was given") }
        guard password.utf8.count <= 1_024 else { throw ValidationError("the password is longer than 1024 bytes") }
        print(try PasswordHash.make(password).encoded)
    }
}
