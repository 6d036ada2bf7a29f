import Foundation

/// Opening hours in the seeds' three modes (the service time module: closed, standard, custom),
/// used by `desk.workingHours` and by a `serviceTime` node's own `schedule`.
package struct ServiceSchedule: Sendable, Decodable, Equatable {
    package enum Mode: String, Sendable, Decodable, CaseIterable {
        /// The check is off: always in service time.
        case closed
        /// The same `hours` on each of `weekdays` (every day unless narrowed).
        case standard
        /// Each weekday its own ranges, in `days`.
        case custom
    }

    package static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    package var mode: Mode
    /// An IANA time zone name.
    package var timezone = "UTC"
    package var weekdays = ServiceSchedule.weekdayNames
    /// `HH:MM-HH:MM` ranges; one whose end is earlier than its start runs past midnight into the next day.
    package var hours = ["09:00-18:00"]
    package var days: [String: [String]] = [:]

    package init(mode: Mode) { self.mode = mode }

    private enum CodingKeys: String, CodingKey, CaseIterable { case mode, timezone, weekdays, hours, days }
    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        mode = try c.value(.mode, default: .standard)
        timezone = try c.value(.timezone, default: timezone)
        weekdays = try c.value(.weekdays, default: weekdays)
        hours = try c.value(.hours, default: hours)
        days = try c.value(.days, default: days)
    }

    /// Each problem with its key path below `path` (`check-config` reports them).
    package func problems(at path: String) -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        if TimeZone(identifier: timezone) == nil { out.append(ConfigProblem(path: "\(path).timezone", message: "unknown time zone \"\(timezone)\"")) }
        for (index, day) in weekdays.enumerated() where !Self.weekdayNames.contains(day) {
            out.append(ConfigProblem(path: "\(path).weekdays[\(index)]", message: "unknown day; use mon … sun"))
        }
        for (index, range) in hours.enumerated() where WorkingSchedule.span(range) == nil {
            out.append(ConfigProblem(path: "\(path).hours[\(index)]", message: "expected HH:MM-HH:MM with two different times"))
        }
        for (day, ranges) in days.sorted(by: { $0.key < $1.key }) {
            if !Self.weekdayNames.contains(day) { out.append(ConfigProblem(path: "\(path).days.\(day)", message: "unknown day; use mon … sun")) }
            for (index, range) in ranges.enumerated() where WorkingSchedule.span(range) == nil {
                out.append(ConfigProblem(path: "\(path).days.\(day)[\(index)]", message: "expected HH:MM-HH:MM with two different times"))
            }
        }
        if mode == .standard, hours.isEmpty { out.append(ConfigProblem(path: "\(path).hours", message: "standard mode needs at least one range")) }
        if mode == .custom, days.isEmpty { out.append(ConfigProblem(path: "\(path).days", message: "custom mode needs at least one day")) }
        return out
    }
}
