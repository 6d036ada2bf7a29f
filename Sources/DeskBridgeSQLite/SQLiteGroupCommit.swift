import DeskBridgeStore
import GRDB
import Metrics
import Synchronization

/// Group commit: concurrent writes share one transaction, and so one fsync.
///
/// With `synchronous=FULL` every commit waits for the disk, so one transaction per webhook caps
/// ingest at the disk's fsync rate. Here each write waits in a queue; one writer takes everything
/// queued, runs each write in its own savepoint inside a single transaction, commits, and only
/// then answers every caller. A write that fails (a repeat, a version conflict) rolls back its
/// savepoint alone. If the commit itself fails, every write in the batch fails, and no caller was
/// told it succeeded: an acknowledged write is still a committed one.
final class SQLiteGroupCommit: Sendable {
    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// The most writes one transaction carries, so one batch's latency stays bounded.
    private let maxBatch: Int

    private struct Queue {
        var pending: [any PendingWrite] = []
        var writing = false
        var transactions = 0
        var writes = 0
    }

    /// Writes and the transactions that carried them so far; their ratio is the mean batch size
    /// (also exported as `deskbridge_sqlite_writes_total` and `deskbridge_sqlite_transactions_total`).
    var counts: (writes: Int, transactions: Int) { queue.withLock { ($0.writes, $0.transactions) } }
    private let writesCounter = Counter(label: "deskbridge_sqlite_writes_total")
    private let transactionsCounter = Counter(label: "deskbridge_sqlite_transactions_total")

    init(pool: DatabasePool, maxBatch: Int = 512) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `body` in a savepoint of the next group transaction and returns once that transaction committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = queue.withLock { queue in
                queue.pending.append(Write(body: body, continuation: continuation))
                if queue.writing { return false }
                queue.writing = true
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
    }

    /// Writes batches until the queue is empty; only one drain runs at a time.
    private func drain() async {
        while true {
            let batch: [any PendingWrite] = queue.withLock { queue in
                let batch = Array(queue.pending.prefix(maxBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.writing = false } else { queue.transactions += 1; queue.writes += batch.count }
                return batch
            }
            if batch.isEmpty { return }
            transactionsCounter.increment()
            writesCounter.increment(by: batch.count)
            let box = Batch(batch)
            do {
                try await pool.write { db in box.execute(db) }
                box.finish(nil)
            } catch {
                box.finish(error)
            }
        }
    }
}

/// One batch, handed to the writer connection and back.
private final class Batch: Sendable {
    private let writes: [any PendingWrite]
    init(_ writes: [any PendingWrite]) { self.writes = writes }
    func execute(_ db: Database) { for write in writes { write.execute(db) } }
    func finish(_ error: (any Error)?) { for write in writes { write.finish(error) } }
}

private protocol PendingWrite: Sendable {
    func execute(_ db: Database)
    func finish(_ transactionError: (any Error)?)
}

private final class Write<T: Sendable>: PendingWrite {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    /// Set by `execute` on the writer, read by `finish` after the transaction (never contended).
    private let result = Mutex<Result<T, any Error>?>(nil)

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    /// Runs the write in its own savepoint. The savepoint statements are prepared once per
    /// connection (GRDB's `inSavepoint` parses them anew for every write).
    func execute(_ db: Database) {
        do {
            try db.cachedStatement(sql: "SAVEPOINT write").execute()
            do {
                let value = try body(db)
                try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
                result.withLock { $0 = .success(value) }
            } catch {
                try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT write").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
                throw error
            }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
    }

    func finish(_ transactionError: (any Error)?) {
        if let transactionError {
            continuation.resume(throwing: transactionError)
        } else {
            continuation.resume(with: result.withLock { $0 } ?? .failure(StoreError.unavailable("write was not run")))
        }
    }
}
