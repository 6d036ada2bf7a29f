import Foundation

/// The desk settings an administrator changes at run time (README, "Desk settings"): the rest
/// reasons, the status an agent gets when it signs in, proactive contact and the workbench's
/// third-party extensions. The YAML seeds them on the first start; from then on they are kept in
/// the store, which wins.
package struct DeskSettings: Codable, Sendable, Equatable {
    package var restReasons: [String]
    /// An SDK status word (`SeatStatus`); nil: an agent keeps its status when it signs in.
    package var signInStatus: String?
    package var proactive: DeskConfig.Proactive
    /// The business pages the workbench frames beside the conversation.
    package var extensions: [DeskConfig.Extension]

    package init(restReasons: [String], signInStatus: String?, proactive: DeskConfig.Proactive, extensions: [DeskConfig.Extension] = []) {
        self.restReasons = restReasons
        self.signInStatus = signInStatus
        self.proactive = proactive
        self.extensions = extensions
    }

    /// What the configuration file says (the seed).
    package init(_ desk: DeskConfig) {
        self.init(restReasons: desk.restReasons, signInStatus: desk.signInStatus, proactive: desk.proactive, extensions: desk.extensions)
    }

    private enum CodingKeys: String, CodingKey { case restReasons, signInStatus, proactive, extensions }

    /// A document stored before extensions were run-time settings has none.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        restReasons = try c.decode([String].self, forKey: .restReasons)
        signInStatus = try c.decodeIfPresent(String.self, forKey: .signInStatus)
        proactive = try c.decode(DeskConfig.Proactive.self, forKey: .proactive)
        extensions = try c.decodeIfPresent([DeskConfig.Extension].self, forKey: .extensions) ?? []
    }

    /// The status an agent gets when it signs in, if any.
    package var signInSeat: SeatStatus? { signInStatus.flatMap { SeatStatus(name: $0) } }

    /// Why `seat` may not be set: a rest reason that is not one of `restReasons`; nil when it may.
    package func refusal(of seat: SeatStatus) -> String? {
        guard let reason = seat.restReason, !restReasons.contains(reason) else { return nil }
        return "the rest reason must be one of: \(restReasons.joined(separator: ", "))"
    }

    /// What is wrong, by key (relative to `desk`); empty when nothing is.
    package var problems: [(key: String, message: String)] {
        var found: [(key: String, message: String)] = []
        for (index, reason) in restReasons.enumerated() {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty || reason.count > 32 { found.append(("restReasons[\(index)]", "must be 1 to 32 characters")) }
            if restReasons.prefix(index).contains(reason) { found.append(("restReasons[\(index)]", "duplicate rest reason \"\(reason)\"")) }
        }
        if restReasons.count > 20 { found.append(("restReasons", "at most 20 reasons")) }
        if let status = signInStatus, SeatStatus(name: status) == nil || status.lowercased() == "offline" {
            found.append(("signInStatus", "must be free, busy, arrange, notReady or rest"))
        }
        if !(60...86_400).contains(proactive.timeoutSeconds) { found.append(("proactive.timeoutSeconds", "must be 60 to 86400")) }
        for (index, page) in extensions.enumerated() {
            if page.name.trimmingCharacters(in: .whitespaces).isEmpty || page.name.count > 40 { found.append(("extensions[\(index)].name", "must be 1 to 40 characters")) }
            if !(URL(string: page.url).map(DeskConfig.Extension.isAllowed) ?? false) {
                found.append(("extensions[\(index)].url", "must be an https:// URL (http:// only on a loopback host)"))
            }
        }
        if extensions.count > 20 { found.append(("extensions", "at most 20 pages")) }
        return found
    }
}
