import Foundation
import Logging
import ServiceLifecycle

/// Processes accepted webhooks and drains the queue, until graceful shutdown.
///
/// Woken at once by ingest; also polls, so work stored by another process (or left by a crash)
/// is picked up. A batch in progress finishes before shutdown; the rest stays in the store.
package struct ProcessorService: Service, CustomStringConvertible {
    let runtime: ConversationRuntime
    let pollInterval: Duration
    /// What the poll interval is measured on; tests pass a clock they move by hand.
    let sleepClock: any Clock<Duration>
    let logger: Logger

    package init(runtime: ConversationRuntime, pollInterval: Duration = .milliseconds(500),
                 sleepClock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.runtime = runtime
        self.pollInterval = pollInterval
        self.sleepClock = sleepClock
        self.logger = logger
    }

    /// What the service lifecycle logs: the name, never the configuration it holds.
    package var description: String { "ProcessorService(pollInterval: \(pollInterval))" }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await runtime.processPending()
                    try await runtime.fireTimers()
                    try await runtime.drainQueue()
                } catch is CancellationError {
                    break  // the service group is stopping (a failed start, a second signal)
                } catch {
                    logger.warning("processing paused", metadata: ["error": "\(error)"])
                }
                await runtime.processing.wait(upTo: pollInterval, clock: sleepClock)
            }
        } onGracefulShutdown: {
            runtime.processing.signal()
        }
    }
}
