import Foundation

/// How long an agent spent in each status over a span (Tencent's `DescribeStaffStatusMetrics`
/// counts the day): the status it had at the start, then each change in order.
package enum StatusTimeline {
    /// Whole seconds per status name (`SeatStatus.cloudName`) between `from` and `to`; the time
    /// before the first known status is not counted.
    package static func durations(initial: SeatStatus?, changes: [(at: Date, seat: SeatStatus)], from: Date, to: Date) -> [String: Int] {
        var totals: [String: Double] = [:]
        var current = initial, since = from
        for change in changes.sorted(by: { $0.at < $1.at }) where change.at < to {
            let at = max(change.at, from)
            if let current { totals[current.cloudName, default: 0] += at.timeIntervalSince(since) }
            (current, since) = (change.seat, at)
        }
        if let current, to > since { totals[current.cloudName, default: 0] += to.timeIntervalSince(since) }
        return totals.mapValues { Int($0.rounded(.down)) }
    }
}

extension SeatStatus {
    /// Tencent Cloud Contact Center's word: its statuses, with wrap-up as `afterCallWork`.
    package var cloudName: String { self == .arrange ? "afterCallWork" : name }
}
