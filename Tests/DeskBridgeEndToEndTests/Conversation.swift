import DeskBridgeTestSupport
import Foundation
import Testing

/// One running DeskBridge process with its stand-ins, for end-to-end scenarios.
struct Deployment {
    let google: StandInServer
    let business: StandInServer
    let directory: URL
    let configPath: String

    /// `flows` gets the business stand-in's base URL (for interface calls).
    static func with(lenaStatus: String = "Available", omarStatus: String = "Offline", assignment: String = "{ strategy: automatic }",
                     reception: String = "{ automatic: true }", receptionLimit: Int = 3, userTimeoutSeconds: Int = 900, webhookKeys: Bool = true, serverTimeouts: String = "", webOrigins: [String] = [], cloudApi: String? = nil,
                     extensions: [String] = [], omarRole: String = "agent", flows: @escaping @Sendable (String) -> String = { _ in TestConfig.shopFlow },
                     _ body: @Sendable (Deployment) async throws -> Void) async throws {
        try await StandInServer.with { google in
            try await StandInServer.with { business in
                let directory = TestConfig.temporaryDirectory()
                let configPath = directory.appendingPathComponent("deskbridge.yaml").path
                let yaml = TestConfig.yaml(googleURL: google.baseURL, eventsURL: business.baseURL + "/events",
                                           database: directory.appendingPathComponent("data/deskbridge.sqlite").path, lenaStatus: lenaStatus,
                                           omarStatus: omarStatus, receptionLimit: receptionLimit, flows: flows(business.baseURL), assignment: assignment, reception: reception,
                                           assignmentURL: business.baseURL + "/assign", userTimeoutSeconds: userTimeoutSeconds,
                                           webhookKeys: webhookKeys, serverTimeouts: serverTimeouts, webOrigins: webOrigins, cloudApi: cloudApi,
                                           extensions: extensions, omarRole: omarRole)
                try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
                try await body(Deployment(google: google, business: business, directory: directory, configPath: configPath))
            }
        }
    }

    func start(environment: [String: String] = [:]) async throws -> ServiceProcess {
        try await ServiceProcess(configPath: configPath, environment: environment)
    }
}

/// What the stand-in Google API received, as readable lines: "BOT: text", "JOINED Lena", …
extension StandInServer.Recorded {
    var line: String {
        guard let json else { return "\(method) \(path)" }
        let representative = json["representative"] as? [String: Any]
        let who = representative?["representativeType"] as? String == "HUMAN" ? "HUMAN \(representative?["displayName"] as? String ?? "")" : "BOT"
        if let event = json["eventType"] as? String {
            let name = event == "REPRESENTATIVE_JOINED" ? "JOINED" : event == "REPRESENTATIVE_LEFT" ? "LEFT" : event
            return "\(name) \(representative?["displayName"] as? String ?? "")"
        }
        return "\(who): \(json["text"] as? String ?? json["fallback"] as? String ?? "")"
    }

    var callId: String { (json?["messageId"] as? String) ?? queryValue("eventId") ?? queryValue("RequestID") ?? "\(path)?\(query)#\(body.hashValue)" }
    var conversation: String { path.split(separator: "/").dropFirst(2).first.map(String.init) ?? "" }
}

extension StandInServer {
    /// Requests with every retry of a call counted once, in first-arrival order. A retry reuses
    /// its id (messageId or eventId; RequestID for callbacks), and Google answers 409 to a repeat,
    /// so under load a call may legitimately arrive twice.
    var calls: [Recorded] {
        var seen: Set<String> = []
        return requests.filter { seen.insert($0.callId).inserted }
    }

    /// Waits until `count` distinct calls have arrived, or the deadline passes.
    func waitForCalls(_ count: Int, timeout: Duration = .seconds(20)) async -> Bool {
        (try? await eventually(timeout: timeout) { self.calls.count >= count }) ?? false
    }
}
