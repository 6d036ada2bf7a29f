import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Delivers the durable outbox until graceful shutdown.
///
/// Each claim leases only the head of a lane (one conversation × target), so calls of one
/// conversation go out strictly in order while different conversations go out concurrently.
/// A lease that outlives a crashed process expires and the call is retried with the same id.
package struct DeliveryService: Service, CustomStringConvertible {
    let store: any DeskStore
    let transport: any OutboundTransport
    let builder: RequestBuilder
    let policy: RetryPolicy
    let clock: WallClock
    let signal: WorkSignal
    /// Woken when an interface call's result has been appended to a conversation.
    let processing: WorkSignal
    /// Told when a Google call's delivery state changed, for the workbench pages.
    let changes: ChangeFeed
    let owner: String
    /// Calls claimed at once (each the head of a different lane).
    let batch: Int
    /// Batches delivered at the same time. One batch waits for its slowest call and for two
    /// commits (claim, record); with several in flight the next claim need not wait for those.
    let batchesInFlight: Int
    let pollInterval: Duration
    /// What the poll interval is measured on; tests pass a clock they move by hand.
    let sleepClock: any Clock<Duration>
    let logger: Logger

    package init(store: any DeskStore, transport: any OutboundTransport, builder: RequestBuilder, policy: RetryPolicy, clock: WallClock,
                 signal: WorkSignal, processing: WorkSignal = WorkSignal(), changes: ChangeFeed = ChangeFeed(), owner: String, batch: Int = 64, batchesInFlight: Int = 4, pollInterval: Duration = .milliseconds(500),
                 sleepClock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.store = store
        self.transport = transport
        self.builder = builder
        self.policy = policy
        self.clock = clock
        self.signal = signal
        self.processing = processing
        self.changes = changes
        self.owner = owner
        self.batch = batch
        self.batchesInFlight = max(1, batchesInFlight)
        self.pollInterval = pollInterval
        self.sleepClock = sleepClock
        self.logger = logger
    }

    /// What the service lifecycle logs: the name, never the tokens and keys it holds.
    package var description: String { "DeliveryService(owner: \(owner), batch: \(batch))" }

    package func run() async throws {
        if let released = try? await store.releaseLeases(owner: owner), released > 0 {
            logger.notice("resuming calls this replica had in flight when it stopped", metadata: ["calls": "\(released)"])
        }
        let inFlight = BatchesInFlight()
        await withGracefulShutdownHandler {
            // Batches finishing in the background signal, so a finished lane's next call is
            // claimed at once; graceful shutdown waits here for the batches still in flight.
            await withDiscardingTaskGroup { group in
                while !Task.isShuttingDownGracefully, !Task.isCancelled {
                    if inFlight.count.load(ordering: .relaxed) < batchesInFlight {
                        let items: [OutboxItem]
                        do {
                            items = try await claimDue()
                        } catch {
                            logger.warning("delivery paused", metadata: ["error": "\(error)"])
                            items = []
                        }
                        if !items.isEmpty {
                            inFlight.count.add(1, ordering: .relaxed)
                            group.addTask {
                                await deliver(items)
                                inFlight.count.subtract(1, ordering: .relaxed)
                                signal.signal()
                            }
                            if items.count == batch { continue }  // likely more due: claim again now
                        }
                    }
                    await signal.wait(upTo: inFlight.count.load(ordering: .relaxed) > 0 ? pollInterval : await nextWait(), clock: sleepClock)
                }
            }
        } onGracefulShutdown: {
            signal.signal()
        }
    }

    /// Claims and delivers one batch of due calls; returns how many were claimed.
    @discardableResult
    package func deliverDue() async throws -> Int {
        let items = try await claimDue()
        await deliver(items)
        return items.count
    }

    /// Leases the heads of up to `batch` lanes whose next call is due.
    private func claimDue() async throws -> [OutboxItem] {
        let now = clock.now()
        // Long enough for a token fetch and the request itself; a replica that dies holding it
        // releases it when it restarts, others wait for it to expire.
        let lease = now.addingTimeInterval(Double(builder.channel.retry.requestTimeoutMs) / 1_000 + 15)
        return try await store.claimDeliveries(now: now, leaseUntil: lease, owner: owner, limit: batch)
    }

    /// Makes the claimed calls concurrently and records their outcomes in one transaction: one
    /// fsync for the batch, not one per call.
    private func deliver(_ items: [OutboxItem]) async {
        guard !items.isEmpty else { return }
        let records = await withTaskGroup(of: (id: Int64, record: DeliveryRecord)?.self) { group in
            for item in items { group.addTask { await deliver(item) } }
            return await group.reduce(into: [(id: Int64, record: DeliveryRecord)]()) { if let record = $1 { $0.append(record) } }
        }
        do {
            try await store.recordDeliveries(records, owner: owner, now: clock.now())
            for key in Set(items.filter { $0.target == .google }.map(\.conversation)) { changes.deliveryChanged(key) }
        } catch {
            logger.warning("could not record deliveries; their leases will expire and the calls be retried", metadata: ["error": "\(error)"])
        }
    }

    /// Makes one call; returns its outcome to record (nil when it recorded itself, with its result event).
    private func deliver(_ item: OutboxItem) async -> (id: Int64, record: DeliveryRecord)? {
        // A website-channel visitor reads its messages from the store (the chat page's API), so a
        // "Google" call of such a conversation is delivered once it is stored and in order.
        if item.target == .google, item.conversation.isWebChannel {
            Counter(label: "deskbridge_outbound_calls_total", dimensions: [("target", "web"), ("outcome", "delivered")]).increment()
            return (item.id, .delivered)
        }
        let record: DeliveryRecord
        let outcomeLabel: String
        do {
            guard let request = try await builder.request(for: item, now: clock.now()) else {
                if item.target == .assignment {
                    try await completeAssignment(item, .failure(.connection("desk.callbacks.assignment.url is not set")), latency: .zero)
                    return nil
                }
                return (item.id, .failed(error: "target \(item.target.rawValue) is not configured"))
            }
            let started = ContinuousClock.now
            let result = await transport.perform(request)
            switch item.target {
            case .interface:
                try await completeInterfaceCall(item, result)
                return nil
            case .assignment:
                try await completeAssignment(item, result, latency: ContinuousClock.now - started)
                return nil
            case .google, .sessionEvents:
                break
            }
            let outcome = result.outcome
            let now = clock.now()
            let decision = policy.decide(outcome, attempts: item.attempts, firstAttemptAt: item.firstAttemptAt ?? now, now: now,
                                         jitter: Double.random(in: 0..<1))
            switch decision {
            case .delivered: (record, outcomeLabel) = (.delivered, "delivered")
            case .retry(let at): (record, outcomeLabel) = (.retry(at: at, error: Self.describe(outcome)), "retry")
            case .failed(let reason): (record, outcomeLabel) = (.failed(error: reason), "failed")
            }
        } catch {
            // Credentials could not be obtained (or a result could not be stored): retry later.
            let at = clock.now().addingTimeInterval(Double(policy.backoffMs(afterAttempt: item.attempts, jitter: 0.5)) / 1_000)
            (record, outcomeLabel) = (.retry(at: at, error: "\(error)"), "retry")
        }
        Counter(label: "deskbridge_outbound_calls_total", dimensions: [("target", item.target.rawValue), ("outcome", outcomeLabel)]).increment()
        if outcomeLabel != "delivered" {
            logger.notice("outbound call not delivered", metadata: [
                "call.id": "\(item.callId)", "call.target": "\(item.target.rawValue)", "call.attempts": "\(item.attempts)", "call.outcome": "\(outcomeLabel)",
            ])
        }
        return (item.id, record)
    }

    /// An interface call may fail `maxErrors` times and is retried after each of those failures
    /// (so it is tried up to `maxErrors + 1` times), each attempt with its own deadline; then its
    /// values (or its failure, so the node's `defaults` apply) go back to the flow. This is the
    /// seeds' "maximum error count": the failures allowed, not the attempts.
    private func completeInterfaceCall(_ item: OutboxItem, _ result: Result<OutboundResponse, TransportFailure>) async throws {
        let job = try JSONDecoder().decode(InterfaceCallJob.self, from: item.body)
        var values: [String: String]?
        var error: String?
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            if let object = try? JSONDecoder().decode([String: JSONValue].self, from: response.body) {
                values = object.mapValues(\.variableText)
            } else {
                error = "answer is not a flat JSON object"
            }
        case .success(let response): error = "HTTP \(response.status)"
        case .failure(.timeout): error = "timeout after \(job.call.timeoutMs) ms"
        case .failure(.connection(let why)): error = "connection error: \(why)"
        }
        let now = clock.now()
        if values == nil, item.attempts <= job.call.maxErrors {
            try await store.recordDelivery(item.id, owner: owner, .retry(at: now, error: error ?? "failed"), now: now)
            Counter(label: "deskbridge_outbound_calls_total", dimensions: [("target", "interface"), ("outcome", "retry")]).increment()
            return
        }
        let event = try JSONEncoder().encode(InternalEvent.interfaceResult(session: job.session, callId: job.call.callId, values: values, error: error))
        let record: DeliveryRecord = values != nil ? .delivered : .failed(error: "\(item.attempts) attempts; last: \(error ?? "failed")")
        try await store.recordDelivery(item.id, owner: owner, record, now: now, appending: event, to: item.conversation, dedupeKey: "int:\(item.callId)")
        Counter(label: "deskbridge_outbound_calls_total", dimensions: [("target", "interface"), ("outcome", values != nil ? "delivered" : "failed")]).increment()
        processing.signal()
    }

    /// `OnAssignHuman` is asked once, within its deadline; whatever happens, the answer (or the
    /// reason there is none, so the fallback applies) goes back to the conversation.
    private func completeAssignment(_ item: OutboxItem, _ result: Result<OutboundResponse, TransportFailure>, latency: Duration) async throws {
        let request = try JSONDecoder().decode(AssignHumanRequest.self, from: item.body)
        let latencyMs = Int(latency / .milliseconds(1))
        var answer = AssignHumanAnswer(agentIdList: [], agentGroupId: nil, failure: nil, latencyMs: latencyMs)
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            if let decoded = try? JSONDecoder().decode(AssignHumanReply.self, from: response.body) {
                if decoded.ErrorCode ?? 0 != 0 || (decoded.ActionStatus ?? "OK") != "OK" {
                    answer.failure = "ErrorCode \(decoded.ErrorCode ?? -1)"
                } else {
                    answer.agentIdList = (decoded.AgentIdList ?? []).map { AgentID($0) }
                    answer.agentGroupId = decoded.AgentGroupId.map { SkillGroupID($0) }
                }
            } else {
                answer.failure = "answer is not an OnAssignHuman reply"
            }
        case .success(let response): answer.failure = "HTTP \(response.status)"
        case .failure(.timeout): answer.failure = "no answer within \(builder.desk.callbacks.assignment.timeoutMs) ms"
        case .failure(.connection(let why)): answer.failure = "connection error: \(why)"
        }
        let event = try JSONEncoder().encode(InternalEvent.assignmentAnswer(session: SessionID(request.SessionId), requestId: item.callId, answer: answer))
        let record: DeliveryRecord = answer.failure == nil ? .delivered : .failed(error: answer.failure!)
        try await store.recordDelivery(item.id, owner: owner, record, now: clock.now(), appending: event, to: item.conversation, dedupeKey: "int:\(item.callId)")
        Counter(label: "deskbridge_outbound_calls_total", dimensions: [("target", "assignment"), ("outcome", answer.failure == nil ? "delivered" : "failed")]).increment()
        processing.signal()
    }

    private func nextWait() async -> Duration {
        guard let due = try? await store.nextDeliveryDue() else { return pollInterval }
        let ms = max(0, Int(due.timeIntervalSince(clock.now()) * 1_000))
        return min(.milliseconds(ms), pollInterval)
    }

    private static func describe(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .success(let status): "HTTP \(status)"
        case .httpStatus(let status, let detail): "HTTP \(status)\(detail.isEmpty ? "" : " \(detail)")"
        case .timeout: "timeout"
        case .connectionError(let why): "connection error: \(why)"
        }
    }
}

/// Batches of one `run` loop still being delivered.
private final class BatchesInFlight: Sendable {
    let count = Atomic<Int>(0)
}

/// What the business server answers to `OnAssignHuman`; lenient about the group id's type.
private struct AssignHumanReply: Decodable {
    var ActionStatus: String?
    var ErrorCode: Int?
    var AgentGroupId: Int?
    var AgentIdList: [String]?

    private enum CodingKeys: String, CodingKey { case ActionStatus, ErrorCode, AgentGroupId, AgentIdList }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ActionStatus = try c.decodeIfPresent(String.self, forKey: .ActionStatus)
        ErrorCode = try c.decodeIfPresent(Int.self, forKey: .ErrorCode)
        if let number = try? c.decodeIfPresent(Int.self, forKey: .AgentGroupId) {
            AgentGroupId = number
        } else if let text = try? c.decodeIfPresent(String.self, forKey: .AgentGroupId) {
            AgentGroupId = Int(text)
        }
        AgentIdList = try c.decodeIfPresent([String].self, forKey: .AgentIdList)
    }
}
