import DeskBridgeCore
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

    func run(_ endpoint: String, secretId: String, secretKey: String, seat: String = "lena@acme.example", onlyOnce: Bool? = nil) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [Self.script, endpoint, secretId, secretKey, String(Wire.sdkAppId), seat] + (onlyOnce.map { [$0 ? "true" : "false"] } ?? [])
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
            #expect(try await HTTP.get(sdkURL).text.contains("const DESKBRIDGE_SDK = {signIn: null"), "once")

            // OnlyOnce: false makes a URL that signs in anew each time until it expires.
            let reusable = try #require(try run(endpoint, secretId: "AKIDtest", secretKey: "cloud-secret-1", onlyOnce: false)["SdkURL"] as? String)
            for _ in 0..<2 { #expect(try await HTTP.get(reusable).text.contains("const DESKBRIDGE_SDK = {signIn: \"")) }

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

    static let staffScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/ccc_staff.py").path

    func staff(_ endpoint: String, _ arguments: String...) throws -> [String: Any] {
        let output = try Command.run(URL(fileURLWithPath: Self.python!), [Self.staffScript, endpoint, "AKIDtest", "cloud-secret-1", String(Wire.sdkAppId)] + arguments).output
        return (try JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? ["unreadable": output]
    }

    /// The staff actions as an integrator's code calls them: list, set a status, force offline
    /// (the workbench refuses the agent) and restore; a bad status changes nothing.
    @Test func staffActionsWorkThroughTencentsSDK() async throws {
        try await Deployment.with(cloudApi: "{ secretId: AKIDtest, secretKey: cloud-secret-1 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let endpoint = "127.0.0.1:\(service.port)"
            let list = try staff(endpoint, "describe")
            #expect(list["TotalCount"] as? Int == 2, "\(list)")
            let lena = try #require((list["StaffList"] as? [[String: Any]])?.first)
            #expect(lena["Mail"] as? String == "lena@acme.example" && lena["Nick"] as? String == "Lena" && lena["StaffNumber"] as? String == "1001")
            #expect(lena["SkillGroups"] as? [Int] == [1])
            #expect(try staff(endpoint, "describe", "omar@acme.example")["TotalCount"] as? Int == 1)

            /// Lena signs in to the workbench: the HTTP status, and the status her page shows.
            @Sendable func lenaSignsIn() async throws -> (Int, String?) {
                let sig = UserSig.generate(identifier: "lena@acme.example", sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret,
                                           issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 600)
                let answer = try await HTTP.post(service.baseURL + "/workbench/api/sign-in", body: Wire.json(["agentId": "lena@acme.example", "userSig": sig]))
                guard answer.status == 200, let cookie = answer.headers["set-cookie"]?.split(separator: ";").first else { return (answer.status, nil) }
                let me = try await HTTP.get(service.baseURL + "/workbench/api/me", headers: ["Cookie": String(cookie)])
                return (answer.status, me.json?["status"] as? String)
            }
            #expect(try staff(endpoint, "status", "lena@acme.example", "rest", "Meal")["ok"] as? Bool == true)
            #expect(try await lenaSignsIn().1 == "Rest")
            #expect(try staff(endpoint, "status", "lena@acme.example", "rest", "Nap")["code"] as? String == "InvalidParameterValue",
                    "a rest reason must be one of desk.restReasons")
            let bad = try staff(endpoint, "status", "lena@acme.example", "asleep")
            #expect(bad["code"] as? String == "InvalidParameterValue")
            #expect(try staff(endpoint, "status", "mallory@evil.example", "free")["code"] as? String == "InvalidParameterValue")
            #expect(try await lenaSignsIn().1 == "Rest", "a refused call changed nothing")
            #expect(try staff(endpoint, "offline", "lena@acme.example")["ok"] as? Bool == true)
            #expect(try await lenaSignsIn().0 == 403, "a forced-offline agent cannot sign in")
            #expect(try staff(endpoint, "online", "lena@acme.example")["ok"] as? Bool == true)
            let restored = try await lenaSignsIn()
            #expect(restored.0 == 200 && restored.1 == "Available")

            // The history has every change in order, by pages; today's metrics count the spells.
            let now = Int64(Date().timeIntervalSince1970)
            let first = try staff(endpoint, "history", "lena@acme.example", String(now - 3_600), String(now + 60))
            let page1 = try #require(first["Data"] as? [[String: Any]], "\(first)")
            let cursor = try #require(page1.last?["Cursor"] as? String)
            let page2 = try #require(try staff(endpoint, "history", "lena@acme.example", String(now - 3_600), String(now + 60), cursor)["Data"] as? [[String: Any]])
            #expect((page1 + page2).compactMap { $0["Status"] as? String }.suffix(3) == ["rest", "offline", "free"],
                    "rest (Meal), forced offline, restored; the refused calls left no trace")
            #expect(page1.count == 2 && (page1 + page2).first { $0["Status"] as? String == "rest" }?["Reason"] as? String == "Meal")
            let tooLong = try staff(endpoint, "history", "lena@acme.example", String(now - 8 * 86_400), String(now))
            #expect(tooLong["code"] as? String == "InvalidParameterValue")
            let metric = try #require((try staff(endpoint, "metrics", "lena@acme.example")["Metrics"] as? [[String: Any]])?.first)
            #expect(metric["Email"] as? String == "lena@acme.example" && metric["Status"] as? String == "free")
            #expect((metric["OnlineDuration"] as? Int).map { $0 >= 0 } == true && metric["LastStatusTimestamp"] is Int)
        }
    }

    /// Staff and skill groups managed as an integrator's code manages them: a group created, a
    /// staff member created in it, given a password she signs in with, bound, modified, unbound and
    /// deleted; a refused call changes nothing; and every change is in the audit trail.
    @Test func staffAndSkillGroupsAreManagedThroughTencentsSDK() async throws {
        try await Deployment.with(cloudApi: "{ secretId: AKIDtest, secretKey: cloud-secret-1 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let endpoint = "127.0.0.1:\(service.port)"
            let created = try staff(endpoint, "create-group", "Billing", "4")
            let billing = try #require(created["SkillGroupId"] as? Int, "\(created)")
            let groups = try staff(endpoint, "groups", "Bill")
            #expect(groups["TotalCount"] as? Int == 1)
            #expect((groups["SkillGroupList"] as? [[String: Any]])?.first?["MaxConcurrency"] as? Int == 4)

            let added = try staff(endpoint, "create", "nadia@acme.example", "Nadia", "Billing")
            #expect(added["ok"] as? Bool == true && (added["ErrorStaffList"] as? [Any])?.isEmpty == true, "\(added)")
            let again = try staff(endpoint, "create", "nadia@acme.example", "Nadia", "Billing")
            #expect((again["ErrorStaffList"] as? [[String: Any]])?.first?["StaffEmail"] as? String == "nadia@acme.example",
                    "a staff member already there is reported, not overwritten")
            let unknownGroup = try staff(endpoint, "create", "zed@acme.example", "Zed", "Nowhere")
            #expect((unknownGroup["ErrorStaffList"] as? [[String: Any]])?.first?["Message"] as? String == "unknown skill group \"Nowhere\"")
            #expect(try staff(endpoint, "describe", "zed@acme.example")["TotalCount"] as? Int == 0)
            let nadia = try #require((try staff(endpoint, "describe", "nadia@acme.example")["StaffList"] as? [[String: Any]])?.first)
            #expect(nadia["Nick"] as? String == "Nadia" && nadia["SkillGroups"] as? [Int] == [billing])

            // A password set through the API is one she signs in to the workbench with.
            #expect(try staff(endpoint, "password", "nadia@acme.example", "short")["code"] as? String == "InvalidParameterValue")
            #expect(try staff(endpoint, "password", "nadia@acme.example", "a long enough password")["ok"] as? Bool == true)
            let signIn = try await HTTP.post(service.baseURL + "/workbench/api/sign-in",
                                             body: Wire.json(["agentId": "nadia@acme.example", "password": "a long enough password"]))
            #expect(signIn.status == 200)

            #expect(try staff(endpoint, "bind", "nadia@acme.example", "1", "2")["ok"] as? Bool == true)
            #expect((try staff(endpoint, "describe", "nadia@acme.example")["StaffList"] as? [[String: Any]])?.first?["SkillGroups"] as? [Int] == [billing, 1])
            #expect(try staff(endpoint, "unbind", "nadia@acme.example", String(billing))["ok"] as? Bool == true)
            #expect(try staff(endpoint, "modify", "nadia@acme.example", "Nadia K.", "1")["ok"] as? Bool == true)
            let modified = try #require((try staff(endpoint, "describe", "nadia@acme.example")["StaffList"] as? [[String: Any]])?.first)
            #expect(modified["Nick"] as? String == "Nadia K." && modified["SkillGroups"] as? [Int] == [1])
            #expect(try staff(endpoint, "modify", "nadia@acme.example", "Nadia", "99")["code"] as? String == "InvalidParameterValue",
                    "an unknown group is refused")
            #expect((try staff(endpoint, "describe", "nadia@acme.example")["StaffList"] as? [[String: Any]])?.first?["Nick"] as? String == "Nadia K.",
                    "and changed nothing")
            #expect(try staff(endpoint, "update-group", String(billing), "Billing and refunds", "6")["ok"] as? Bool == true)
            #expect(try staff(endpoint, "groups", "refunds")["TotalCount"] as? Int == 1)

            // Lena is online: DeleteStaff keeps her and says so; Nadia, offline, goes.
            #expect(try staff(endpoint, "status", "lena@acme.example", "free")["ok"] as? Bool == true)
            #expect(try staff(endpoint, "delete", "lena@acme.example")["OnlineStaffList"] as? [String] == ["lena@acme.example"])
            #expect(try staff(endpoint, "describe", "lena@acme.example")["TotalCount"] as? Int == 1)
            #expect(try staff(endpoint, "delete", "nadia@acme.example")["OnlineStaffList"] as? [String] == [])
            #expect(try staff(endpoint, "describe", "nadia@acme.example")["TotalCount"] as? Int == 0)
            #expect(try staff(endpoint, "delete-group", String(billing))["ok"] as? Bool == true)
            #expect(try staff(endpoint, "groups")["TotalCount"] as? Int == 1)

            let wrongSecret = try Command.run(URL(fileURLWithPath: Self.python!), [Self.staffScript, endpoint, "AKIDtest", "not-the-secret",
                                                                                    String(Wire.sdkAppId), "create-group", "Intruders", "1"]).output
            #expect(wrongSecret.contains("AuthFailure.SignatureFailure"))
            #expect(try staff(endpoint, "groups")["TotalCount"] as? Int == 1, "a wrong secret changes nothing")
            #expect(!service.log.contains("a long enough password") && !service.log.contains("cloud-secret-1"))
        }
    }

    /// Records, messages, a transfer and a UserSig as an integrator's code asks for them.
    @Test func recordsMessagesTransferAndUserSigWorkThroughTencentsSDK() async throws {
        try await Deployment.with(cloudApi: "{ secretId: AKIDtest, secretKey: cloud-secret-1 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let endpoint = "127.0.0.1:\(service.port)"
            let user = Wire.clientUserId("cdr-1")
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "cdr-1")).status == 200)
            #expect(await deployment.google.waitForCalls(2))
            let state = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": user])
            let session = try #require(state["SessionId"] as? String)

            #expect(try staff(endpoint, "transfer", session, "1")["ok"] as? Bool == true)
            #expect(try await eventually { deployment.google.calls.contains { $0.line == "JOINED Lena" } }, "the session reached Lena")
            let messages = try staff(endpoint, "messages", session)
            let list = try #require(messages["Messages"] as? [[String: Any]])
            #expect(list.first?["From"] as? String == user && (list.first?["Contents"] as? [String]) == ["hi"], "\(messages)")
            #expect(list.contains { $0["From"] as? String == "bot" })

            #expect(try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/end_session", as: "lena@acme.example", ["SessionId": session])["ErrorCode"] as? Int == 0)
            let now = Int(Date().timeIntervalSince1970)
            let cdrs = try staff(endpoint, "cdrs", String(now - 300), String(now + 300))
            let cdr = try #require((cdrs["IMCdrList"] as? [[String: Any]])?.first, "\(cdrs)")
            #expect(cdr["SessionId"] as? String == session && cdr["ClientUserId"] as? String == user)
            #expect(cdr["EndStatus"] as? Int == 1 && cdr["StaffId"] as? String == "lena@acme.example")
            #expect(try staff(endpoint, "cdrs2", String(now - 300), String(now + 300))["Sessions"] as? [String] == [session], "DescribeIMCdrs too")

            let sig = try #require(try staff(endpoint, "usersig", "administrator")["UserSig"] as? String)
            let query = "sdkappid=\(Wire.sdkAppId)&identifier=administrator&usersig=\(sig)&random=1&contenttype=json"
            let signed = try await HTTP.post("\(service.baseURL)/v4/desk_http_svc/get_session_state?\(query)", body: Wire.json(["ClientUserId": user]))
            #expect(signed.json?["ErrorCode"] as? Int == 0, "the UserSig opens the desk APIs")
        }
    }

    /// `CreateAdminURL`: a link that signs the administrator in to the console once, within 10 minutes.
    @Test func anAdminURLSignsTheAdministratorInOnce() async throws {
        try await Deployment.with(cloudApi: "{ secretId: AKIDtest, secretKey: cloud-secret-1 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let endpoint = "127.0.0.1:\(service.port)"
            #expect(try staff(endpoint, "admin-url", "lena@acme.example")["code"] as? String == "InvalidParameterValue", "only the administrator")
            let url = try #require(try staff(endpoint, "admin-url", "administrator")["URL"] as? String)
            #expect(url.hasPrefix("http://\(endpoint)/console/login/"))
            let first = try await HTTP.get(url, followRedirects: false)
            #expect(first.status == 303 && first.headers["location"] == "/console")
            let cookie = try #require(first.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            #expect(cookie.hasPrefix("deskbridge_console="))
            #expect(try await HTTP.get(service.baseURL + "/console/api/overview", headers: ["Cookie": cookie]).status == 200, "signed in to the console")
            #expect(try await HTTP.get(url, followRedirects: false).status == 403, "the link works once")
        }
    }
}
