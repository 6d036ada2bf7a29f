import Foundation

/// One message of a session as the records keep it (CONTRACT §3 `get_session_records`).
package struct MessageRecord: Codable, Sendable, Equatable {
    package enum Direction: String, Codable, Sendable { case In, Out }
    package enum Sender: String, Codable, Sendable { case User, Bot, Agent }

    package var session: SessionID
    package var time: Date
    package var direction: Direction
    package var sender: Sender
    package var agentId: AgentID?
    package var msgKey: String
    package var msgBody: [MsgElement]
    /// The Google calls that carried it out (message ids), for their delivery state.
    package var callIds: [String]

    package init(session: SessionID, time: Date, direction: Direction, sender: Sender, agentId: AgentID?, msgKey: String, msgBody: [MsgElement], callIds: [String]) {
        self.session = session
        self.time = time
        self.direction = direction
        self.sender = sender
        self.agentId = agentId
        self.msgKey = msgKey
        self.msgBody = msgBody
        self.callIds = callIds
    }
}

/// A session as the records keep it, open or ended.
package struct SessionSummary: Codable, Sendable, Equatable {
    package var session: SessionID
    package var state: String
    package var startTime: Date
    package var endTime: Date?
    package var agentIds: [AgentID]
    package var assignments: [AssignmentRecord]
    package var receipts: [String: String]
    package var surveyAnswers: [String]
    package var satisfaction: Rating?
    /// Who ended it: `client`, `seat`, `admin` or `timer` (nil while open).
    package var closeBy: String?
    /// The skill group it was transferred to, if it was (nil in records written before it was kept).
    package var skillGroup: SkillGroupID?

    package init(session: SessionID, state: String, startTime: Date, endTime: Date?, agentIds: [AgentID], assignments: [AssignmentRecord],
                 satisfaction: Rating?, closeBy: String?, skillGroup: SkillGroupID?) {
        self.session = session
        self.state = state
        self.startTime = startTime
        self.endTime = endTime
        self.agentIds = agentIds
        self.assignments = assignments
        self.receipts = [:]
        self.surveyAnswers = []
        self.satisfaction = satisfaction
        self.closeBy = closeBy
        self.skillGroup = skillGroup
    }

    init(_ session: Session, state: String, endTime: Date?, closeBy: String? = nil) {
        self.session = session.id
        self.state = state
        self.startTime = session.startedAt
        self.endTime = endTime
        self.agentIds = session.agentIds
        self.assignments = session.assignments
        self.receipts = session.receipts
        self.surveyAnswers = session.surveyAnswers
        self.satisfaction = session.satisfaction
        self.closeBy = closeBy
        self.skillGroup = session.skillGroup
    }
}

extension ConversationState {
    /// The open session as the records show it.
    package var openSessionSummary: SessionSummary? { session.map { SessionSummary($0, state: $0.deskState, endTime: nil) } }
}
