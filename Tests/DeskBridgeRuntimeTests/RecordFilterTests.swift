import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Testing

/// The record search's days are whole days in the desk's time zone.
@Suite("Service-record search: days in the desk's time zone")
struct RecordFilterTests {
    @Test func aDayRunsFromItsMidnightToTheNextInTheDesksZone() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let range = try RecordFilter(fromDay: "2026-03-28", toDay: "2026-03-29", timeZone: berlin).range()
        #expect(range.from == Date(timeIntervalSince1970: 1_774_652_400), "2026-03-28 00:00 CET is 23:00 UTC the day before")
        #expect(range.to.timeIntervalSince(range.from) == 47 * 3_600, "the 29th lost an hour to summer time")
    }

    @Test(arguments: [("2026-02-30", "2026-03-01"), ("yesterday", "2026-03-01"), ("2026-03-02", "2026-03-01")])
    func impossibleDaysAreRefused(from: String, to: String) {
        #expect(throws: DeskCommandError.self) { try RecordFilter(fromDay: from, toDay: to, timeZone: .gmt).range() }
    }
}
