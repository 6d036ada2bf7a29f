import Foundation

/// `desk.workingHours` as a pure predicate: open at an instant, in the schedule's time zone.
package struct WorkingSchedule: Sendable {
    private let enabled: Bool
    private let timeZone: TimeZone
    /// Weekday (1 = Sunday … 7 = Saturday, as Calendar numbers them) → minute ranges [start, end).
    private let ranges: [Int: [Range<Int>]]

    package init(_ config: DeskConfig.WorkingHours) {
        enabled = config.enabled
        timeZone = TimeZone(identifier: config.timezone) ?? TimeZone(identifier: "UTC")!
        let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]
        var ranges: [Int: [Range<Int>]] = [:]
        for (day, spans) in config.days {
            guard let weekday = weekdays[day] else { continue }
            ranges[weekday] = spans.compactMap(Self.minutes)
        }
        self.ranges = ranges
    }

    /// Always open when working hours are not enabled.
    package func isOpen(at instant: Date) -> Bool {
        guard enabled else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        return (ranges[weekday] ?? []).contains { $0.contains(hour * 60 + minute) }
    }

    /// "09:00-18:00" → 540..<1080; "24:00" is allowed as an end.
    static func minutes(_ span: String) -> Range<Int>? {
        let ends = span.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        guard ends.count == 2, ends.allSatisfy({ $0.count == 2 }) else { return nil }
        let start = ends[0][0] * 60 + ends[0][1], end = ends[1][0] * 60 + ends[1][1]
        return start < end ? start..<end : nil
    }
}
