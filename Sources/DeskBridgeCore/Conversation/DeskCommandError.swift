/// Why a desk API command was refused. Codes are Tencent's where Tencent has one, else
/// DeskBridge's own 1200xx range (CONTRACT §3). A refused command changes nothing.
package enum DeskCommandError: Error, Equatable, Sendable {
    case notHolder
    case unknownUserOrSession
    case unknownAgentOrGroup
    case notAllowedInState(String)
    case identityMayNotAct
    /// The console user's role does not reach this (a module, or a skill group); says what.
    case outsideRole(String)
    case badMsgBody(String)
    case missingToAccount
    case badJSON(String)

    package var code: Int {
        switch self {
        case .notHolder: 120001
        case .unknownUserOrSession: 120002
        case .unknownAgentOrGroup: 120003
        case .notAllowedInState: 120004
        case .identityMayNotAct, .outsideRole: 120005
        case .badMsgBody: 90002
        case .missingToAccount: 90003
        case .badJSON: 90001
        }
    }

    /// What is wrong without the category, for a per-row report (an upload's refused line).
    package var detail: String {
        if case .badJSON(let why) = self { return why }
        return info
    }

    package var info: String {
        switch self {
        case .notHolder: "the agent does not hold this session"
        case .unknownUserOrSession: "unknown user or session"
        case .unknownAgentOrGroup: "unknown agent or skill group"
        case .notAllowedInState(let state): "not allowed while the session is \(state)"
        case .identityMayNotAct: "this identity may not act for that account"
        case .outsideRole(let why): "your role does not reach \(why)"
        case .badMsgBody(let why): "invalid MsgBody: \(why)"
        case .missingToAccount: "To_Account is missing"
        case .badJSON(let why): "invalid JSON: \(why)"
        }
    }
}
