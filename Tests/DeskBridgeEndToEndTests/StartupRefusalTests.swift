import DeskBridgeTestSupport
import Foundation
import Testing

/// Start-up problems a person can act on are one clear line and exit status 1.
@Suite("Start-up refusals", .serialized)
struct StartupRefusalTests {
    @Test func aSecondServeOnTheSameSQLiteFileRefusesNamingTheFile() async throws {
        try await Deployment.with { deployment throws in
            let first = try await deployment.start()
            defer { first.terminate() }
            let database = deployment.directory.appendingPathComponent("data/deskbridge.sqlite").path
            let refusal = await #expect(throws: ServiceProcess.Failure.self) { try await ServiceProcess(configPath: deployment.configPath, timeout: .seconds(20)) }
            let output = refusal?.output ?? ""
            #expect(output.contains("\(database) is already being served by another deskbridge process"), "\(output)")
            #expect(!output.contains("Fatal error") && !output.contains("Program crashed"))
            #expect(try await HTTP.get(first.baseURL + "/healthz").status == 200, "the first one is untouched")
        }
    }

    @Test func aPortInUseIsOneLineNamingTheAddress() async throws {
        try await Deployment.with { deployment throws in
            let first = try await deployment.start()
            defer { first.terminate() }
            let other = deployment.directory.appendingPathComponent("other.yaml").path
            let yaml = try String(contentsOfFile: deployment.configPath, encoding: .utf8)
                .replacingOccurrences(of: "port: 0,", with: "port: \(first.port),")
                .replacingOccurrences(of: "data/deskbridge.sqlite", with: "other/deskbridge.sqlite")
            try yaml.write(toFile: other, atomically: true, encoding: .utf8)
            let refusal = await #expect(throws: ServiceProcess.Failure.self) { try await ServiceProcess(configPath: other, timeout: .seconds(20)) }
            let lines = (refusal?.output ?? "").split(separator: "\n").filter { !$0.contains(" info ") && !$0.contains(" notice ") }
            #expect(lines == ["deskbridge: cannot listen on 127.0.0.1:\(first.port): the address is already in use"])
        }
    }
}
