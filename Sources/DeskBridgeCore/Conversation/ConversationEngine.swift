import Foundation

/// The conversation as a pure state machine: (state, input, now, routing snapshot) → (state, effects).
///
/// It composes the flow engine, the ownership state machine, routing and translation; the shell
/// persists the new state and the effects in one transaction and carries the effects out.
package struct ConversationEngine: Sendable {
    package let config: DeskBridgeConfig

    package init(config: DeskBridgeConfig) { self.config = config }

    /// The result of one step.
    package struct Step: Sendable {
        package var state: ConversationState
        package var effects: [ConversationEffect]
        /// For `sendmsg`: the MsgKey and MsgTime of the message.
        package var sent: (msgKey: String, msgTime: Int64)?

        package init(state: ConversationState, effects: [ConversationEffect], sent: (msgKey: String, msgTime: Int64)?) {
            self.state = state
            self.effects = effects
            self.sent = sent
        }
    }

    /// What the step may look at besides the conversation itself.
    package struct Context: Sendable {
        package var now: Date
        package var routing: RoutingSnapshot
        package init(now: Date, routing: RoutingSnapshot = .empty) {
            self.now = now
            self.routing = routing
        }
    }

    // MARK: - Inputs

    /// A user event from the channel.
    package func handle(_ webhook: GoogleWebhook, state: ConversationState?, context: Context) -> Step {
        var turn = Turn(engine: self, state: state ?? ConversationState(key: webhook.conversation), context: context)
        turn.state.profile.absorb(webhook.context)
        switch webhook.payload {
        case .message(let message):
            turn.userSaid(message.text, input: .text(message.text))
        case .suggestionResponse(let tap):
            let text = tap.text ?? ""
            if let postback = tap.postbackData.flatMap(Postback.init), postback.kind != .url {
                turn.userSaid(text, input: .chip(ref: postback.ref, index: postback.index, text: text))
            } else if tap.postbackData.flatMap(Postback.init)?.kind != .url {
                turn.userSaid(text, input: .text(text))
            }
        case .userStatus(let status):
            if status.requestedLiveAgent == true { turn.userAskedForHuman() }
            if let typing = status.isTyping { turn.userTyping(typing) }
        case .receipts, .surveyResponse, .authenticationResponse:
            break  // recorded with the inbound event; no effect on the conversation
        }
        return turn.step
    }

    /// A message from an agent (`agent` set) or from the admin as BOT (`agent` nil).
    package func send(_ body: [MsgElement], cloudCustomData: String?, from agent: AgentID?, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        let sender: Ownership.Sender = agent.map { .agent($0) } ?? .bot
        do {
            _ = try session.ownership.representative(for: sender, bot: botRepresentative)
        } catch .notHolder {
            throw .notHolder
        } catch {
            throw .notAllowedInState(session.deskState)
        }
        guard !body.isEmpty else { throw .badMsgBody("MsgBody is empty") }
        let key = turn.say(body, as: sender, cloudCustomData: cloudCustomData)
        turn.step.sent = (key, Int64(context.now.timeIntervalSince1970))
        return turn.step
    }

    /// `end_session`: by the holding agent, or by the admin (`agent` nil) in any phase.
    package func endSession(by agent: AgentID?, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        if let agent, session.ownership.holder != agent { throw .notHolder }
        turn.closeSession(event: "SessionEnd", message: config.desk.closure.closureMessage)
        return turn.step
    }

    /// A queued session tries again to reach an agent (capacity freed, an agent came online).
    package func retryAssignment(state: ConversationState, context: Context) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        if case .queued(let group) = turn.state.session?.ownership.owner {
            turn.tryAssign(group: group, announce: false)
        }
        return turn.step
    }

    package var botRepresentative: Representative {
        Representative(.BOT, displayName: config.channel.bot.displayName, avatarImage: config.channel.bot.avatarImage)
    }

    func flowEngine(for agent: String) -> FlowEngine? {
        let name = config.channel.flowName(forAgent: agent, default: config.flows.resolvedDefault ?? "")
        return config.flows.flows[name].map(FlowEngine.init)
    }

    func flowName(for agent: String) -> String {
        config.channel.flowName(forAgent: agent, default: config.flows.resolvedDefault ?? "")
    }
}
