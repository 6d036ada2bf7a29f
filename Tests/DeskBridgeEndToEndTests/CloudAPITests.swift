import DeskBridgeTestSupport
import Foundation
import Testing

/// Python with Tencent's SDK installed, when the test script made one.
let tencentPython = ProcessInfo.processInfo.environment["DESKBRIDGE_TEST_TENCENT_PYTHON"]

/// The Tencent Cloud API 3.0 endpoint against Tencent's own Python SDK (tencentcloud-sdk-python-ccc
/// from PyPI, in the virtual environment `scripts/test` makes; `$DESKBRIDGE_TEST_TENCENT_PYTHON`).
@Suite("Tencent Cloud API 3.0 through Tencent's SDK", .serialized, .enabled(if: tencentPython != nil))
struct CloudAPITests {
    static let python = tencentPython
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/ccc_create_sdk_login_token.py").path

    func run(_ endpoint: String, secretId: String, secretKey: String, seat: String = "lena@acme.example") throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [Self.script, endpoint, secretId, secretKey, String(Wire.sdkAppId), seat]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try JSONSerialization.jsonObject(with: output)) as? [String: Any] ?? [:]
    }

    @Test func createSDKLoginTokenWorksWithOnlyTheEndpointChanged() async throws {
        try await Deployment.with(cloudApi: "{ secretId: AKIDtest, secretKey: cloud-secret-1 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let endpoint = "127.0.0.1:\(service.port)"
            let answer = try run(endpoint, secretId: "AKIDtest", secretKey: "cloud-secret-1")
            #expect(answer["ok"] as? Bool == true, "\(answer)")
            let sdkURL = try #require(answer["SdkURL"] as? String)
            #expect(sdkURL.hasPrefix("http://\(endpoint)/workbench/sdk/"))
            #expect(sdkURL.contains(answer["Token"] as? String ?? "missing"))
            let expires = try #require(answer["ExpiredTime"] as? Int)
            #expect(abs(expires - Int(Date().timeIntervalSince1970) - 600) < 30, "valid for 10 minutes, in unix seconds")
            let script = try await HTTP.get(sdkURL)
            #expect(script.text.contains("window.tccc") && script.text.contains("const DESKBRIDGE_SDK = {signIn: \""), "the URL signs the agent in")

            let wrongKey = try run(endpoint, secretId: "AKIDtest", secretKey: "not-it")
            #expect(wrongKey["ok"] as? Bool == false)
            #expect(wrongKey["code"] as? String == "AuthFailure.SignatureFailure")
            #expect((wrongKey["requestId"] as? String)?.isEmpty == false, "every answer has a RequestId")
            let wrongId = try run(endpoint, secretId: "AKIDother", secretKey: "cloud-secret-1")
            #expect(wrongId["code"] as? String == "AuthFailure.SecretIdNotFound")
            let stranger = try run(endpoint, secretId: "AKIDtest", secretKey: "cloud-secret-1", seat: "mallory@evil.example")
            #expect(stranger["code"] as? String == "InvalidParameterValue")
            #expect(!service.log.contains("cloud-secret-1"))
        }
    }
}
