import DeskBridgeCoordination
import DeskBridgePostgres
import DeskBridgeRuntime
import Foundation
import Logging
import ServiceLifecycle

/// Replicas on one PostgreSQL database tell each other what changed (`NOTIFY` on
/// `deskbridge_changes`, heard with `LISTEN`), so a workbench or console page open on one replica
/// hears of a message another replica processed within milliseconds, not at its next read.
///
/// A note carries no content, only which conversation (or agent) changed; a lost one costs a page
/// nothing it cannot read again. Each replica skips its own notes, which it has already told.
package struct ReplicaChangeRelay: Service, CustomStringConvertible {
    let store: PostgresDeskStore
    let changes: ChangeFeed
    let replicaId: String
    /// Another replica changed the agents or skill groups: read them again.
    let directoryChanged: @Sendable () async throws -> Void
    let logger: Logger

    package init(store: PostgresDeskStore, changes: ChangeFeed, replicaId: String, logger: Logger,
                 directoryChanged: @escaping @Sendable () async throws -> Void) {
        self.store = store
        self.changes = changes
        self.replicaId = replicaId
        self.directoryChanged = directoryChanged
        self.logger = logger
    }

    package var description: String { "ReplicaChangeRelay(replica: \(replicaId))" }

    private struct Envelope: Codable {
        /// The replica that made the change.
        var replica: String
        var note: ChangeNote
    }

    package func run() async throws {
        let outgoing = changes.outgoing()
        let (store, changes, replicaId, logger, directoryChanged) = (store, changes, replicaId, logger, directoryChanged)
        let (directoryNotes, directoryNoted) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try? await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in directoryNotes {
                        do { try await directoryChanged() } catch {
                            logger.error("the agent directory another replica changed could not be read; this replica keeps the one it has",
                                         metadata: ["error": "\(error)"])
                        }
                    }
                }
                group.addTask {
                    let encoder = JSONEncoder()
                    for await note in outgoing {
                        guard let data = try? encoder.encode(Envelope(replica: replicaId, note: note)) else { continue }
                        do {
                            try await store.notify(String(decoding: data, as: UTF8.self))
                        } catch {
                            logger.debug("change not told to other replicas; their pages read it on their next pass", metadata: ["error": "\(error)"])
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await store.listen { payload in
                                guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)), envelope.replica != replicaId else { return }
                                changes.received(envelope.note)
                                if envelope.note.kind == .directory { directoryNoted.yield() }
                            }
                        } catch is CancellationError {
                            return
                        } catch {
                            logger.warning("not listening to other replicas' changes; retrying", metadata: ["error": "\(error)"])
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
