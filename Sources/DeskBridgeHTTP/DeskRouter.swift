import DeskBridgeConfig
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Prometheus

/// The whole HTTP surface over the ports it is given: the channel webhook, the desk APIs, the
/// workbench and operations. Which store and transport sit behind the runtime is decided by the
/// caller (`DeskBridgeServer`), so this target links no database driver.
package enum DeskRouter {
    package static func make(runtime: ConversationRuntime, config: DeskBridgeConfig, registry: PrometheusCollectorRegistry?,
                             clock: WallClock, reloadConfig: @escaping @Sendable () -> FlowReloadOutcome = { .unavailable }) throws -> Router<DeskRequestContext> {
        let proxies = try trustedProxies(config.server.trustedProxies)
        let router = Router(context: DeskRequestContext.self)
        WebhookRoutes(
            runtime: runtime,
            verifier: WebhookSignatureVerifier(keys: [config.channel.webhook.clientToken, config.channel.webhook.partnerKey].compactMap { $0?.reveal }),
            clientToken: config.channel.webhook.clientToken, maxBodyBytes: config.server.maxBodyBytes, trustedProxies: proxies
        ).register(on: router)
        let agentSignIns = WorkbenchSignIns(store: runtime.store, realm: "workbench", now: { clock.now() })
        DeskRoutes(commands: DeskCommands(runtime: runtime), maxBodyBytes: config.server.maxBodyBytes,
                   signIns: agentSignIns, trustedProxies: proxies, now: { clock.now() }, reloadConfig: reloadConfig).register(on: router)
        OperationsRoutes(store: runtime.store, registry: registry).register(on: router)
        WorkbenchRoutes(commands: DeskCommands(runtime: runtime), signIns: agentSignIns,
                        trustedProxies: proxies, now: { clock.now() }).register(on: router)
        let consoleSignIns = WorkbenchSignIns(store: runtime.store, realm: "console", now: { clock.now() })
        ConsoleRoutes(commands: DeskCommands(runtime: runtime), signIns: consoleSignIns, agentSignIns: agentSignIns,
                      trustedProxies: proxies, now: { clock.now() }).register(on: router)
        WebChannelRoutes(runtime: runtime, config: config, maxBodyBytes: config.server.maxBodyBytes, trustedProxies: proxies).register(on: router)
        CloudAPIRoutes(commands: DeskCommands(runtime: runtime), signIns: agentSignIns, consoleSignIns: consoleSignIns, trustedProxies: proxies, now: { clock.now() }).register(on: router)
        return router
    }

    /// HTTP/1.1 with the request deadlines and the idle timeout of `server` (README, "Timeouts").
    package static func serverConfiguration(_ server: ServerConfig) -> HTTP1Channel.Configuration {
        func amount(_ seconds: Double) -> TimeAmount { .milliseconds(Int64(seconds * 1_000)) }
        let header = amount(server.headerTimeoutSeconds), body = amount(server.bodyTimeoutSeconds)
        return HTTP1Channel.Configuration(additionalChannelHandlers: [RequestDeadlineHandler(headerTimeout: header, bodyTimeout: body)],
                                          idleTimeout: amount(server.idleTimeoutSeconds))
    }

    /// `server.trustedProxies`, already checked by the validator; a bad entry is still a config error here.
    private static func trustedProxies(_ entries: [String]) throws -> TrustedProxies {
        do {
            return try TrustedProxies(entries)
        } catch {
            throw ConfigErrors(problems: [ConfigProblem(path: "server.trustedProxies", message: "\(error.entry) is not an IP address or CIDR range")])
        }
    }
}
