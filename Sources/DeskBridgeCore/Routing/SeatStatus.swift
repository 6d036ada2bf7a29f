/// An agent's status as the agent Web SDK and Tencent Cloud name it (seed 001, "AgentStatus"),
/// kept on the desk's four statuses (CONTRACT §3) plus a reason, so routing needs to know only
/// the four: wrap-up (`arrange`) and not ready (`notReady`) are Busy with that reason, a short
/// break is Rest with its rest reason, and `stopNotReady` ends a not-ready spell (Available).
package enum SeatStatus: Equatable, Sendable {
    case free
    case busy
    case arrange
    case notReady
    case rest(reason: String?)
    case offline

    /// The SDK's and Tencent Cloud's words, in either case (`Arrange`, `NotReady`,
    /// `StopNotReady` as the seed's `setStatus` table spells them); nil for any other.
    package init?(name: String, restReason: String? = nil) {
        switch name.lowercased() {
        case "free", "stopnotready": self = .free
        case "busy": self = .busy
        case "arrange": self = .arrange
        case "notready": self = .notReady
        case "rest": self = .rest(reason: restReason.flatMap { $0.isEmpty ? nil : $0 })
        case "offline": self = .offline
        default: return nil
        }
    }

    /// The desk API's words (`Available`, `Busy`, `Rest`, `Offline`), with a rest reason for `Rest`.
    package init?(deskName: String, restReason: String? = nil) {
        guard let status = DeskConfig.AgentStatus(rawValue: deskName) else { return nil }
        self = status == .Rest ? .rest(reason: restReason.flatMap { $0.isEmpty ? nil : $0 }) : SeatStatus(status: status, reason: nil)
    }

    /// How the store keeps it: one of the desk's statuses and the reason.
    package init(status: DeskConfig.AgentStatus, reason: String?) {
        switch (status, reason) {
        case (.Available, _): self = .free
        case (.Busy, Self.arrangeReason?): self = .arrange
        case (.Busy, Self.notReadyReason?): self = .notReady
        case (.Busy, _): self = .busy
        case (.Rest, let reason): self = .rest(reason: reason)
        case (.Offline, _): self = .offline
        }
    }

    package var deskStatus: DeskConfig.AgentStatus {
        switch self {
        case .free: .Available
        case .busy, .arrange, .notReady: .Busy
        case .rest: .Rest
        case .offline: .Offline
        }
    }

    package var reason: String? {
        switch self {
        case .arrange: Self.arrangeReason
        case .notReady: Self.notReadyReason
        case .rest(let reason): reason
        case .free, .busy, .offline: nil
        }
    }

    /// The rest reason, when it is a short break.
    package var restReason: String? { if case .rest(let reason) = self { reason } else { nil } }

    /// The SDK's word for it (`tccc.Agent.getStatus()`).
    package var name: String {
        switch self {
        case .free: "free"
        case .busy: "busy"
        case .arrange: "arrange"
        case .notReady: "notReady"
        case .rest: "rest"
        case .offline: "offline"
        }
    }

    private static let arrangeReason = "arrange"
    private static let notReadyReason = "notReady"
}
