import DeskBridgeTestSupport
import Foundation
import Testing

/// What a newcomer types from the README's walk-through gives what the README shows.
@Suite("The README's developer commands", .serialized)
struct DeveloperScriptsTests {
    /// Runs `scripts/talk.py` against the service and answers its output lines.
    func talk(_ service: ServiceProcess, _ arguments: String...) throws -> [String] {
        let environment = ["DESKBRIDGE_URL": service.baseURL, "BM_CLIENT_TOKEN": Wire.clientToken, "DESK_SECRET": Wire.deskSecret,
                           "AGENT": Wire.googleAgent, "CONVERSATION": "talk-1", "SDKAPPID": String(Wire.sdkAppId), "PATH": "/usr/bin:/bin"]
        let script = ServiceProcess.packageRoot.appendingPathComponent("scripts/talk.py").path
        return try Command.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script] + arguments, environment: environment)
            .output.split(separator: "\n").map(String.init)
    }

    @Test func talkAgentEndPrintsOneAnswerAndReplayWithoutAConfigSaysItNeedsOne() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            #expect(try talk(service, "say", "hi") == ["200 {}"])
            #expect(try talk(service, "say", "human") == ["200 {}"])
            #expect(await deployment.google.waitForCalls(5), "welcome, menu, connecting, joined, connected")
            let ended = try talk(service, "agent-end", "lena@acme.example")
            #expect(ended.count == 1, "one answer: \(ended)")
            #expect(ended.first?.hasPrefix("200 ") == true && ended.first?.contains(#""ErrorCode":0"#) == true)
        }

        let recording = ServiceProcess.packageRoot.appendingPathComponent("Tests/Replays/01-bot-to-human-and-back.yaml").path
        let replay = try Command.run(ServiceProcess.executable, ["replay", recording], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        #expect(replay.status == 1)
        #expect(replay.output.contains("has no config and no --config was given"))
    }
}
