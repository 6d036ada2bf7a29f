import DeskBridgeCore
import Foundation
import Testing

/// The SDK's statuses kept as the desk's four and a reason, and read back as they were set.
@Suite("Seat statuses")
struct SeatStatusTests {
    @Test(arguments: [
        ("free", DeskConfig.AgentStatus.Available, String?.none, "free"),
        ("StopNotReady", .Available, nil, "free"),
        ("busy", .Busy, nil, "busy"),
        ("Arrange", .Busy, "arrange", "arrange"),
        ("NotReady", .Busy, "notReady", "notReady"),
        ("rest", .Rest, "Meal", "rest"),
        ("offline", .Offline, nil, "offline"),
    ])
    func eachSDKStatusIsKeptAndReadBack(name: String, desk: DeskConfig.AgentStatus, reason: String?, readBack: String) throws {
        let seat = try #require(SeatStatus(name: name, restReason: desk == .Rest ? reason : "ignored"))
        #expect(seat.deskStatus == desk)
        #expect(seat.reason == reason)
        let stored = SeatStatus(status: seat.deskStatus, reason: seat.reason)
        #expect(stored.name == readBack)
        #expect(stored == (name == "StopNotReady" ? .free : seat))
    }

    @Test func unknownWordsAreRefusedAndTheDeskAPIsWordsMapTheSameWay() {
        #expect(SeatStatus(name: "dancing") == nil)
        #expect(SeatStatus(deskName: "Resting") == nil)
        #expect(SeatStatus(deskName: "Rest", restReason: "Meal") == .rest(reason: "Meal"))
        #expect(SeatStatus(deskName: "Rest", restReason: "") == .rest(reason: nil))
        #expect(SeatStatus(deskName: "Busy", restReason: "Meal") == .busy, "a rest reason belongs to Rest only")
    }
}

/// The day's durations per status, from the status at the start and the changes after it.
@Suite("Status durations")
struct StatusTimelineTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func eachSpellCountsFromItsChangeToTheNextWithinTheSpan() {
        let changes: [(at: Date, seat: SeatStatus)] = [
            (start.addingTimeInterval(600), .rest(reason: "Meal")),
            (start.addingTimeInterval(900), .arrange),
            (start.addingTimeInterval(960), .free),
            (start.addingTimeInterval(99_999), .offline),
        ]
        let totals = StatusTimeline.durations(initial: .free, changes: changes, from: start, to: start.addingTimeInterval(3_600))
        #expect(totals == ["free": 600 + 2_640, "rest": 300, "afterCallWork": 60], "a change after the span does not count")
        #expect(StatusTimeline.durations(initial: nil, changes: [(start.addingTimeInterval(100), .busy)], from: start, to: start.addingTimeInterval(160)) == ["busy": 60],
                "time before the first known status is not counted")
    }
}
