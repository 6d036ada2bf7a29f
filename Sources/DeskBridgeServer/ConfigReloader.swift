import DeskBridgeConfig
import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the configuration file without a restart (README, "Reloading flows"): the file is
/// read and checked as `check-config` does; if anything is wrong the running configuration
/// stays and every problem is logged (and answered to the admin API); if it is valid its flows
/// serve the sessions that start from then on, while running sessions finish on the version
/// they started with. Other sections that changed are named: they need a restart.
package final class ConfigReloader: Sendable {
    private let path: String
    private let environment: [String: String]
    private let runtime: ConversationRuntime
    private let logger: Logger
    /// The section digests of the configuration now running.
    private let running: Mutex<[String: String]>

    package init(path: String, environment: [String: String], runtime: ConversationRuntime, running: LoadedConfig, logger: Logger) {
        self.path = path
        self.environment = environment
        self.runtime = runtime
        self.logger = logger
        self.running = Mutex(running.sectionDigests)
    }

    package func reload() -> FlowReloadOutcome {
        switch ConfigLoader.load(path: path, environment: environment) {
        case .failure(let errors):
            for problem in errors.problems {
                logger.error("configuration reload refused; the running configuration stays", metadata: ["problem": "\(problem)"])
            }
            return .refused(errors.problems)
        case .success(let loaded):
            let before = running.withLock { $0 }
            let changed = before["flows"] != loaded.sectionDigests["flows"]
            let restartNeeded = Set(before.keys).union(loaded.sectionDigests.keys)
                .filter { $0 != "flows" && before[$0] != loaded.sectionDigests[$0] }.sorted()
            if changed { runtime.reloadFlows(loaded.config.flows) }
            running.withLock { digests in
                digests["flows"] = loaded.sectionDigests["flows"]
            }
            logger.info("configuration reloaded", metadata: [
                "flows": "\(changed ? "new version \(loaded.config.flows.version) for new sessions" : "unchanged")",
                "restartNeeded": "\(restartNeeded.isEmpty ? "none" : restartNeeded.joined(separator: ", "))",
            ])
            return .reloaded(version: loaded.config.flows.version, changed: changed, restartNeeded: restartNeeded)
        }
    }
}

/// Reloads on every `SIGHUP` until shutdown.
struct ReloadOnHangupService: Service, CustomStringConvertible {
    let reloader: ConfigReloader
    var description: String { "ReloadOnHangupService" }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups { _ = reloader.reload() }
        }
    }
}
