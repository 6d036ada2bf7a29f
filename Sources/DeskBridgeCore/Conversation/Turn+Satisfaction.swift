import Foundation

/// Satisfaction ratings (`desk.satisfaction`): a card of chips 1…scale, answered once within
/// `validityHours`; later and repeated answers are recorded, never counted.
extension Turn {
    private var settings: DeskConfig.Satisfaction { engine.config.desk.satisfaction }

    /// Offers the rating card for `session` (after a human session ends, on an agent's
    /// invitation, or when the user asks).
    mutating func offerRating(for session: SessionID) {
        let scale = max(1, min(settings.scale, 10))
        let options = (1...scale).map { scale <= 5 ? String(repeating: "★", count: $0) : String($0) }
        let card = DeskCustomMessage.SatisfactionCard(
            head: settings.invitation, tail: settings.thanks, menu: options.enumerated().map { .init(id: String($0.offset + 1), content: $0.element) },
            type: scale <= 5 ? 1 : 2, sessionId: session.rawValue, effectiveHour: settings.validityHours,
            expireTime: Int64(context.now.timeIntervalSince1970) + Int64(settings.validityHours) * 3_600)
        let msgKey = say(.satisfaction(card), as: .bot)
        state.ratingCard = RatingCard(session: session, ref: Hex.ref12(msgKey), options: options,
                                      expiresAt: context.now.addingTimeInterval(TimeInterval(settings.validityHours) * 3_600))
    }

    /// The option a tap or a typed text picks on the current card, if it is an answer to it at all.
    func ratingAnswer(postback: Postback?, text: String) -> Int? {
        guard let card = state.ratingCard else { return nil }
        if let postback, postback.kind == .satisfaction {
            return postback.ref == card.ref && card.options.indices.contains(postback.index) ? postback.index + 1 : nil
        }
        return card.options.firstIndex(of: text.trimmingCharacters(in: .whitespaces)).map { $0 + 1 }
    }

    /// Records a score: once, within the validity; thanks the user and tells the business server.
    mutating func rate(_ score: Int, raw: String) {
        guard var card = state.ratingCard else { return }
        guard card.score == nil, context.now < card.expiresAt else {
            card.ignored.append("\(card.score == nil ? "expired" : "duplicate"):\(raw)")
            state.ratingCard = card
            return
        }
        card.score = score
        card.ratedAt = context.now
        state.ratingCard = card
        let rating = Rating(score: score, time: context.now)
        if state.session?.id == card.session {
            state.session?.satisfaction = rating
        } else if var ended = state.lastEnded, ended.session == card.session {
            ended.satisfaction = rating
            state.lastEnded = ended
            step.effects.append(.archive(ended))
        }
        if !settings.thanks.isEmpty { say([.text(settings.thanks)], as: .bot) }  // the session may have ended: say needs none
        var event = SessionEventNotification(session: card.session, event: "Satisfaction.Submitted", at: context.now, user: state.clientUserId,
                                             requestId: "\(card.session.rawValue)-rating")
        event.SatisfactionSelected = score
        event.ChannelType = state.key.channelType
        step.effects.append(.notify(event))
    }
}
