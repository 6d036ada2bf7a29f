import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Enforces `storage.retention`: once at start and then every `interval`, removes what is older
/// than each kind's limit.
///
/// Each batch is its own short transaction of at most `batchSize` rows, and the sweep yields
/// between batches, so on SQLite the webhooks queued behind it wait for one small batch, never
/// for the whole sweep (group commit takes them into the next transaction).
package struct RetentionService: Service, CustomStringConvertible {
    let store: any DeskStore
    let retention: StorageConfig.Retention
    let clock: WallClock
    let interval: Duration
    let batchSize: Int
    let sleepClock: any Clock<Duration>
    let logger: Logger

    package init(store: any DeskStore, retention: StorageConfig.Retention, clock: WallClock, interval: Duration = .seconds(3_600),
                 batchSize: Int = 500, sleepClock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.store = store
        self.retention = retention
        self.clock = clock
        self.interval = interval
        self.batchSize = batchSize
        self.sleepClock = sleepClock
        self.logger = logger
    }

    package var description: String { "RetentionService(interval: \(interval))" }

    package func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await sweep()
            } catch is CancellationError {
                break
            } catch {
                logger.warning("retention sweep failed; the next one retries", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [sleepClock, interval] in try await sleepClock.sleep(for: interval) }
        }
    }

    /// One whole pass over every kind with a limit; answers how many rows each lost.
    @discardableResult
    package func sweep() async throws -> [RetentionKind: Int] {
        let now = clock.now()
        var removed: [RetentionKind: Int] = [:]
        for kind in RetentionKind.allCases {
            let days = retention.days(kind)
            guard days > 0 else { continue }
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            var total = 0
            while !Task.isShuttingDownGracefully {
                try Task.checkCancellation()
                let count = try await store.purge(kind, before: cutoff, limit: batchSize)
                total += count
                if count == 0 { break }
                await Task.yield()
            }
            removed[kind] = total
            if total > 0 {
                Counter(label: "deskbridge_retention_removed_total", dimensions: [("kind", kind.rawValue)]).increment(by: total)
                logger.info("retention removed old data", metadata: ["kind": "\(kind.rawValue)", "rows": "\(total)", "olderThanDays": "\(days)"])
            }
        }
        return removed
    }
}

extension StorageConfig.Retention {
    /// The limit, in days, for one kind (0: kept forever).
    package func days(_ kind: RetentionKind) -> Int {
        switch kind {
        case .webhooks: webhookDays
        case .deliveredCalls: deliveredCallDays
        case .dedupe: dedupeDays
        case .records: recordDays
        }
    }
}
