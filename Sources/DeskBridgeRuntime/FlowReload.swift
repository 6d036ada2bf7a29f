import DeskBridgeCore

/// How a reload of the configuration file ended (`SIGHUP`, or the admin's `reload_config`).
package enum FlowReloadOutcome: Sendable, Equatable {
    /// The file was valid: its flows serve new sessions (`changed` false when they were the same).
    /// `restartNeeded` names the other top-level sections that changed: they take effect at the
    /// next restart, not now.
    case reloaded(version: String, changed: Bool, restartNeeded: [String])
    /// The file has problems (as `check-config` reports them); the running configuration stays.
    case refused([ConfigProblem])
    /// The service was not started from a file it could read again.
    case unavailable
}
