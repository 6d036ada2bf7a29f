import Foundation

/// Satisfaction ratings (`desk.satisfaction`): a card of chips 1…scale, answered once within
/// `validityHours`; later and repeated answers are recorded, never counted.
extension Turn {
    private var settings: DeskConfig.Satisfaction { engine.config.desk.satisfaction }

    /// Offers the rating card for `session` (after a human session ends, on an agent's
    /// invitation, or when the user asks).
    ///
    /// The card's `sessionId` names this rating message (seeds 000, 001: a src 10 answers it by
    /// that id), so a user's answer is matched to the card it was given on, not to whichever
    /// card is the latest. Levels show as stars or numbers by `display`, or as their `labels`.
    mutating func offerRating(for session: SessionID) {
        let scale = max(1, min(settings.scale, 10))
        let stars = settings.shownAs == .stars
        let options = settings.labels.count == scale ? settings.labels : (1...scale).map { stars ? String(repeating: "★", count: $0) : String($0) }
        let cardId = RatingCard.id(session: session, at: context.now)
        let card = DeskCustomMessage.SatisfactionCard(
            head: settings.invitation, tail: settings.thanks, menu: options.enumerated().map { .init(id: String($0.offset + 1), content: $0.element) },
            type: stars ? 1 : 2, sessionId: cardId, effectiveHour: settings.validityHours,
            expireTime: Int64(context.now.timeIntervalSince1970) + Int64(settings.validityHours) * 3_600)
        let msgKey = say(.satisfaction(card), as: .bot)
        state.ratingCard = RatingCard(session: session, ref: Hex.ref12(msgKey), options: options,
                                      expiresAt: context.now.addingTimeInterval(TimeInterval(settings.validityHours) * 3_600), cardId: cardId)
    }

    /// A rating chip of an earlier card: recorded as ignored, and told the rating is closed.
    mutating func staleRating(_ raw: String) {
        if var card = state.ratingCard {
            card.ignored.append("stale:\(raw)")
            state.ratingCard = card
        }
        sayRatingClosed()
    }

    /// `closedReply`, unless an agent holds the session: no BOT text ever lands inside a human's segment.
    private mutating func sayRatingClosed() {
        guard state.session?.ownership.holder == nil, !settings.closedReply.isEmpty else { return }
        say([.text(settings.closedReply)], as: .bot)
    }

    /// The option a tap or a typed text picks on the current card, if it is an answer to it at all.
    func ratingAnswer(postback: Postback?, text: String) -> Int? {
        guard let card = state.ratingCard else { return nil }
        if let postback, postback.kind == .satisfaction {
            return postback.ref == card.ref && card.options.indices.contains(postback.index) ? postback.index + 1 : nil
        }
        return card.options.firstIndex(of: text.trimmingCharacters(in: .whitespaces)).map { $0 + 1 }
    }

    /// A src 10 from the website's page: the option `optionId` of the card `cardId` (its src 9
    /// `sessionId`). An answer to an earlier card, or naming no option of it, is stale.
    mutating func userRated(optionId: String, cardId: String) {
        let raw = "src10:\(cardId):\(optionId)"
        guard let card = state.ratingCard, (card.cardId ?? card.session.rawValue) == cardId,
            let index = (card.optionIds ?? card.options.indices.map { String($0 + 1) }).firstIndex(of: optionId) else {
            staleRating(raw)
            return
        }
        rate(index + 1, raw: raw)
    }

    /// Records a score: once, within the validity; thanks the user and tells the business server.
    mutating func rate(_ score: Int, raw: String) {
        guard var card = state.ratingCard else { return }
        guard card.score == nil, context.now < card.expiresAt else {
            card.ignored.append("\(card.score == nil ? "expired" : "duplicate"):\(raw)")
            state.ratingCard = card
            // A second tap on a card already answered was thanked once; an expired card says it is closed.
            if card.score == nil { sayRatingClosed() }
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
        // The user's answer as the desk shows it: a src 10 naming the option and the card.
        let option = card.options.indices.contains(score - 1) ? card.options[score - 1] : String(score)
        let optionId = card.optionIds.flatMap { $0.indices.contains(score - 1) ? $0[score - 1] : nil } ?? String(score)
        let selection = MsgElement.custom(.satisfactionSelection(id: optionId, content: option, sessionId: card.cardId ?? card.session.rawValue))
        recordUser(selection, in: card.session)
        if !settings.thanks.isEmpty { say([.text(settings.thanks)], as: .bot) }  // the session may have ended: say needs none
        var event = SessionEventNotification(session: card.session, event: "Satisfaction.Submitted", at: context.now, user: state.clientUserId,
                                             requestId: "\(card.session.rawValue)-rating")
        event.SatisfactionSelected = score
        event.MsgBody = [selection]
        event.ChannelType = state.key.channelType
        step.effects.append(.notify(event))
    }
}
