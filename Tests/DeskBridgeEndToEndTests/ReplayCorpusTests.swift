import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("`deskbridge replay` over the recorded corpus")
struct ReplayCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Replays")

    /// Runs the built executable and returns its exit status and output.
    func replay(_ files: [String]) throws -> (status: Int32, output: String) {
        try Command.run(ServiceProcess.executable, ["replay", "--config", Self.directory.appendingPathComponent("base-config.yaml").path] + files)
    }

    @Test func everyRecordingReplaysAsRecorded() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.first?.isNumber == true && $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 12)
        let (status, output) = try replay(files.map { Self.directory.appendingPathComponent($0).path })
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(files.count) recording(s) replayed as recorded"))
    }

    @Test func aMismatchFailsWithAReadableDiff() throws {
        let (status, output) = try replay([Self.directory.appendingPathComponent("mismatch/wrong-greeting.yaml").path])
        #expect(status == 1)
        #expect(output.contains("step 2: the Google calls differ from the recording"))
        #expect(output.contains("  - BOT: Good morning!\n  + BOT: Hello Rosa!"))
        #expect(output.contains("1 of 1 recording(s) differ"))
    }
}
