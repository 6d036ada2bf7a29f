import Foundation
import Logging
import ServiceLifecycle

/// Processes accepted webhooks and drains the queue, until graceful shutdown.
///
/// Woken at once by ingest; also polls, so work stored by another process (or left by a crash)
/// is picked up. A batch in progress finishes before shutdown; the rest stays in the store.
package struct ProcessorService: Service {
    let runtime: ConversationRuntime
    let pollInterval: Duration
    let logger: Logger

    package init(runtime: ConversationRuntime, pollInterval: Duration = .milliseconds(500), logger: Logger) {
        self.runtime = runtime
        self.pollInterval = pollInterval
        self.logger = logger
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await runtime.processPending()
                    try await runtime.fireTimers()
                    try await runtime.drainQueue()
                } catch {
                    logger.warning("processing paused", metadata: ["error": "\(error)"])
                }
                await runtime.processing.wait(upTo: pollInterval, clock: ContinuousClock())
            }
        } onGracefulShutdown: {
            runtime.processing.signal()
        }
    }
}
