import Foundation

/// A `ServiceSchedule` as a pure predicate: in service time at an instant, in its time zone.
package struct WorkingSchedule: Sendable {
    private let alwaysOpen: Bool
    private let timeZone: TimeZone
    /// Weekday (1 = Sunday … 7 = Saturday, as Calendar numbers them) → its ranges in minutes.
    private let ranges: [Int: [Span]]

    /// Minutes from the day's midnight; `end < start` runs past midnight into the next day.
    struct Span: Equatable {
        var start: Int
        var end: Int
    }

    package init(_ schedule: ServiceSchedule) {
        alwaysOpen = schedule.mode == .closed
        timeZone = TimeZone(identifier: schedule.timezone) ?? TimeZone(identifier: "UTC")!
        var ranges: [Int: [Span]] = [:]
        switch schedule.mode {
        case .closed: break
        case .standard:
            for day in schedule.weekdays { if let weekday = Self.weekday(day) { ranges[weekday] = schedule.hours.compactMap(Self.span) } }
        case .custom:
            for (day, spans) in schedule.days { if let weekday = Self.weekday(day) { ranges[weekday] = spans.compactMap(Self.span) } }
        }
        self.ranges = ranges
    }

    package init(_ workingHours: DeskConfig.WorkingHours) { self.init(workingHours.schedule) }

    /// Always open in `closed` mode (the check is off).
    package func isOpen(at instant: Date) -> Bool {
        if alwaysOpen { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        let now = hour * 60 + minute
        let yesterday = weekday == 1 ? 7 : weekday - 1
        let today = (ranges[weekday] ?? []).contains { span in
            span.start < span.end ? (span.start..<span.end).contains(now) : now >= span.start
        }
        // A range that started yesterday and runs past midnight covers the start of today.
        let carriedOver = (ranges[yesterday] ?? []).contains { span in span.end < span.start && now < span.end }
        return today || carriedOver
    }

    private static func weekday(_ name: String) -> Int? {
        ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7][name]
    }

    /// "09:00-18:00" → 540…1080; "22:00-06:00" runs past midnight; "24:00" is allowed as an end.
    static func span(_ text: String) -> Span? {
        let ends = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        guard ends.count == 2, ends.allSatisfy({ $0.count == 2 && (0...59).contains($0[1]) }) else { return nil }
        let start = ends[0][0] * 60 + ends[0][1], end = ends[1][0] * 60 + ends[1][1]
        guard (0..<1_440).contains(start), (0...1_440).contains(end), start != end else { return nil }
        return Span(start: start, end: end)
    }
}
