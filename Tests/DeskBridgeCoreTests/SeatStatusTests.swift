import DeskBridgeCore
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
