import DeskBridgeConfig
import DeskBridgeCore
import Foundation
import Testing

/// Every node type, driven directly through the flow engine.
@Suite("Flow engine: every node type")
struct FlowNodeTests {
    static let yaml = """
        desk:
          secretKey: s
          workingHours: { enabled: true, timezone: Europe/Berlin, days: { mon: ["09:00-18:00"], sat: ["10:00-12:00", "13:00-24:00"] } }
        flows:
          main:
            start: ask
            nodes:
              ask: { type: collect, header: "Your order number?", variable: orderNo, next: size }
              size: { type: collect, header: "Which size?", options: [S, M, L], errorPrompt: "Pick a size.", variable: size, next: lookup }
              lookup:
                type: interfaceCall
                url: "https://biz.example/order"
                timeoutMs: 1500
                maxErrors: 2
                request: { OrderNo: "${orderNo}", Session: "${SystemSessionId}", Size: "${size}" }
                response: [ Status, Eta ]
                defaults: { Status: unknown, Eta: "?" }
                next: check
              check:
                type: condition
                branches:
                  - { when: 'Status == "shipped" && Eta <= 3', next: soon }
                  - { when: 'Status == "shipped"', next: later }
                default: hours
              soon: { type: message, text: "Order ${orderNo} (${size}) arrives in ${Eta} days.", next: faq }
              later: { type: message, text: "Order ${orderNo} ships later.", next: faq }
              hours: { type: serviceTime, inHours: human, outOfHours: closed }
              human: { type: transfer, next: done }
              closed: { type: message, text: "We are closed.", next: done }
              faq:
                type: chatbot
                header: "Popular questions"
                questions:
                  - { question: "How do returns work?", answer: "**Free** returns within 30 days.", keywords: [refund] }
                  - { question: "Change delivery address", answer: "Reply with the new address." }
                  - { question: "Change billing address", answer: "Go to your account." }
                next: done
              done: { type: end }
        """

    static let config = try! ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
    static let engine = FlowEngine(flow: config.flows.flows["main"]!, schedule: WorkingSchedule(config.desk.workingHours))
    /// Monday 2024-03-04 10:00 in Berlin (09:00Z).
    static let mondayMorning = Date(timeIntervalSince1970: 1_709_542_800)

    var cursor = FlowCursor(flow: "main")
    var scope = FlowEngine.Scope(variables: [:], system: ["SystemSessionId": "sess-1"], now: FlowNodeTests.mondayMorning)

    mutating func start() -> [FlowEffect] { Self.engine.start(&cursor, &scope) }
    mutating func send(_ input: FlowInput) -> [FlowEffect]? { Self.engine.receive(input, &cursor, &scope) }

    @Test mutating func collectFreeTextThenOptionsThenTheInterfaceCall() throws {
        #expect(start() == [.say(.form(.init(header: "Your order number?", type: 0, items: nil)))])
        #expect(send(.text("A-7781")) == [.say(.form(.init(header: "Which size?", type: 1, items: [.init(content: "S"), .init(content: "M"), .init(content: "L")])))])
        #expect(scope.variables["orderNo"] == "A-7781")
        #expect(send(.text("XL")) == [.say(.text("Pick a size.")), .say(.form(.init(header: "Which size?", type: 1, items: [.init(content: "S"), .init(content: "M"), .init(content: "L")])))])
        cursor.menuRef = "ref1"
        let call = try #require(send(.chip(ref: "ref1", index: 1, text: "M")))
        #expect(scope.variables["size"] == "M")
        #expect(call == [.callInterface(InterfaceCall(callId: "lookup#1", url: "https://biz.example/order", timeoutMs: 1_500, maxErrors: 2,
                                                      request: ["OrderNo": "A-7781", "Session": "sess-1", "Size": "M"],
                                                      response: ["Status", "Eta"], defaults: ["Status": "unknown", "Eta": "?"]))])
        #expect(cursor.waitingAt == "lookup")
        #expect(send(.text("hello?")) == nil, "user text is not the interface call's answer")
        #expect(send(.interfaceResult(callId: "lookup#0", values: ["Status": "shipped"])) == nil, "a stale result is ignored")
    }

    @Test(arguments: [
        (["Status": "shipped", "Eta": "2"] as [String: String]?, "Order A-7781 (M) arrives in 2 days."),
        (["Status": "shipped", "Eta": "12"], "Order A-7781 ships later."),  // 12 > 3 numerically, though "12" < "3" as text
        (["Status": "shipped"], "Order A-7781 ships later."),  // a missing response key takes its default
    ])
    mutating func interfaceValuesDriveTheCondition(values: [String: String]?, expected: String) throws {
        _ = start()
        _ = send(.text("A-7781"))
        _ = send(.text("M"))
        let effects = try #require(send(.interfaceResult(callId: "lookup#1", values: values)))
        #expect(effects.first == .say(.text(expected)))
        #expect(effects.last == .say(.botCard(.init(subtype: "welcome_msg", title: "Popular questions", content: "",
                                                   items: [.init(content: "How do returns work?"), .init(content: "Change delivery address"), .init(content: "Change billing address")]))))
    }

    @Test mutating func aFailedInterfaceCallAppliesTheDefaultsAndContinues() throws {
        _ = start()
        _ = send(.text("A-7781"))
        _ = send(.text("S"))
        let effects = try #require(send(.interfaceResult(callId: "lookup#1", values: nil)))
        #expect(scope.variables["Status"] == "unknown")
        #expect(scope.variables["Eta"] == "?")
        #expect(effects == [.transfer(nil)], "default → serviceTime (Monday 10:00 is in hours) → transfer")
    }

    @Test mutating func chatbotAnswersClarifiesAndFallsThrough() throws {
        _ = start()
        _ = send(.text("A-7781"))
        _ = send(.text("S"))
        _ = send(.interfaceResult(callId: "lookup#1", values: ["Status": "shipped", "Eta": "1"]))
        #expect(cursor.waitingAt == "faq")
        #expect(send(.text("how do returns work")) == [.say(.markdown("**Free** returns within 30 days."))])
        #expect(send(.text("I want a refund")) == [.say(.markdown("**Free** returns within 30 days."))], "keyword")
        #expect(send(.text("change my address please")) == [.say(.botCard(.init(subtype: "clarify_msg", title: "Did you mean:", content: "",
                                                                               items: [.init(content: "Change delivery address"), .init(content: "Change billing address")])))])
        #expect(cursor.waitingAt == "faq")
        #expect(send(.text("Where is the nearest store?")) == [.end], "unmatched input falls through to next")
    }

    @Test func conditionParserAndEvaluation() throws {
        let vars = ["Status": "shipped", "Count": "10", "Name": "Rosa", "Empty": ""]
        let table: [(String, Bool)] = [
            (#"Status == "shipped""#, true), (#"Status != 'shipped'"#, false), ("Count > 9", true), ("Count > 9.5 && Count < 10", false),
            ("Count >= 10 || Missing == 1", true), (#"(Status == "x" || Name == "Rosa") && Count <= 10"#, true),
            ("${Count} == 10.0", true), (#"Name < "Sam""#, true), ("Empty", false), ("Name", true), ("Missing == ''", true),
        ]
        for (text, expected) in table {
            #expect(try ConditionExpression.parse(text).evaluate(vars) == expected, "\(text)")
        }
        for bad in ["", "Status ==", "(Count > 1", #"Status == "open"#, "Count # 3", "&& x"] {
            #expect(throws: ConditionExpression.ParseError.self, "\(bad)") { try ConditionExpression.parse(bad) }
        }
    }

    /// The seeds' own condition form: `:Course == Chinese`.
    @Test func conditionsInTheSeedsFormNameVariablesWithAColon() throws {
        let vars = ["Course": "Chinese", "Level": "2", "Wanted": "Math"]
        #expect(try ConditionExpression.parse(":Course == Chinese").evaluate(vars))
        #expect(try !ConditionExpression.parse(":Course == Math").evaluate(vars))
        #expect(try ConditionExpression.parse(":Course != Wanted").evaluate(vars), "a word that names a set variable is that variable")
        #expect(try ConditionExpression.parse(":Level >= 2 && :Course == Chinese").evaluate(vars))
        #expect(try !ConditionExpression.parse(":Missing == Chinese").evaluate(vars), "an unset variable on the left is empty")
        #expect(throws: ConditionExpression.ParseError.self) { try ConditionExpression.parse(": == x") }
    }

    @Test(arguments: [
        ("2024-03-04T07:59:59Z", false),  // Monday 08:59:59 Berlin
        ("2024-03-04T08:00:00Z", true),  // Monday 09:00:00
        ("2024-03-04T16:59:59Z", true),  // Monday 17:59:59
        ("2024-03-04T17:00:00Z", false),  // Monday 18:00:00
        ("2024-03-05T09:00:00Z", false),  // Tuesday: no hours
        ("2024-03-09T11:30:00Z", false),  // Saturday 12:30, the gap
        ("2024-03-09T22:59:59Z", true),  // Saturday 23:59:59, until 24:00
        ("2024-03-31T07:30:00Z", false),  // a Sunday in the DST switch
        ("2024-07-01T07:00:00Z", true),  // Monday 09:00 summer time (UTC+2)
        ("2024-07-01T06:59:59Z", false),
    ])
    func workingHoursAtTheEdges(instant: String, open: Bool) throws {
        let date = try #require(GoogleTimestamp(rfc3339: instant)).date
        #expect(WorkingSchedule(Self.config.desk.workingHours).isOpen(at: date) == open)
    }

    @Test mutating func serviceTimeRoutesByTheClock() throws {
        scope = FlowEngine.Scope(variables: [:], system: [:], now: try #require(GoogleTimestamp(rfc3339: "2024-03-04T17:00:00Z")).date)
        _ = start()
        _ = send(.text("A-7781"))
        _ = send(.text("S"))
        #expect(send(.interfaceResult(callId: "lookup#1", values: nil)) == [.say(.text("We are closed.")), .end])
    }

    @Test func disabledWorkingHoursAreAlwaysOpen() {
        #expect(WorkingSchedule(DeskConfig.WorkingHours()).isOpen(at: Date(timeIntervalSince1970: 0)))
    }
}

/// The seeds' service time module: closed, standard and custom modes, ranges across midnight,
/// and a `serviceTime` node's own schedule before `desk.workingHours`.
@Suite("Service time modes")
struct ServiceTimeTests {
    func schedule(_ yaml: String) throws -> ServiceSchedule {
        let config = try ConfigLoader.parse(yaml: """
            desk: { secretKey: s }
            flows:
              main:
                start: hours
                nodes:
                  hours: { type: serviceTime, inHours: yes, outOfHours: no, schedule: \(yaml) }
                  yes: { type: message, text: "open", next: done }
                  no: { type: message, text: "closed", next: done }
                  done: { type: end }
            """, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
        return try #require(config.flows.flows["main"]?.nodes["hours"]?.schedule)
    }

    func open(_ schedule: ServiceSchedule, _ instant: String) throws -> Bool {
        WorkingSchedule(schedule).isOpen(at: try #require(GoogleTimestamp(rfc3339: instant)).date)
    }

    @Test func closedModeIsAlwaysInServiceTime() throws {
        let closed = try schedule("{ mode: closed }")
        #expect(try open(closed, "2024-03-05T03:00:00Z") && open(closed, "2024-03-10T23:59:00Z"))
    }

    @Test func standardModeIsTheSameHoursOnEveryChosenDay() throws {
        let everyDay = try schedule(#"{ mode: standard, timezone: Asia/Shanghai, hours: ["08:00-24:00"] }"#)
        #expect(try open(everyDay, "2024-03-10T00:00:00Z"), "Sunday 08:00 in Shanghai")
        #expect(try open(everyDay, "2024-03-05T15:59:00Z"), "Tuesday 23:59")
        #expect(try !open(everyDay, "2024-03-05T23:59:00Z"), "Wednesday 07:59")
        let weekdays = try schedule(#"{ mode: standard, weekdays: [mon, tue, wed, thu, fri] }"#)
        #expect(try open(weekdays, "2024-03-08T09:00:00Z") && !open(weekdays, "2024-03-09T09:00:00Z"), "Friday yes, Saturday no")
    }

    @Test func customModeHasEachWeekdaysOwnRanges() throws {
        let custom = try schedule(#"{ mode: custom, days: { mon: ["09:00-12:00", "13:00-18:00"], sat: ["10:00-14:00"] } }"#)
        #expect(try open(custom, "2024-03-04T11:59:00Z") && !open(custom, "2024-03-04T12:30:00Z") && open(custom, "2024-03-04T13:00:00Z"))
        #expect(try !open(custom, "2024-03-05T10:00:00Z"), "Tuesday has no ranges")
        #expect(try open(custom, "2024-03-09T10:00:00Z"))
    }

    @Test func aRangeAcrossMidnightRunsIntoTheNextDay() throws {
        let night = try schedule(#"{ mode: custom, days: { fri: ["22:00-06:00"] } }"#)
        #expect(try !open(night, "2024-03-08T21:59:00Z"), "Friday 21:59")
        #expect(try open(night, "2024-03-08T22:00:00Z"), "Friday 22:00")
        #expect(try open(night, "2024-03-09T05:59:00Z"), "Saturday 05:59, carried over from Friday")
        #expect(try !open(night, "2024-03-09T06:00:00Z"), "Saturday 06:00")
        #expect(try !open(night, "2024-03-08T03:00:00Z"), "Friday 03:00: Thursday has no night range")
    }

    @Test func aNodesOwnScheduleWinsOverTheDesks() throws {
        let config = try ConfigLoader.parse(yaml: """
            desk: { secretKey: s, workingHours: { mode: closed } }
            flows:
              main:
                start: hours
                nodes:
                  hours: { type: serviceTime, inHours: yes, outOfHours: no, schedule: { mode: custom, days: { mon: ["09:00-10:00"] } } }
                  yes: { type: message, text: "open", next: done }
                  no: { type: message, text: "closed", next: done }
                  done: { type: end }
            """, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
        let engine = FlowEngine(flow: config.flows.flows["main"]!, schedule: WorkingSchedule(config.desk.workingHours))
        var cursor = FlowCursor(flow: "main")
        var scope = FlowEngine.Scope(variables: [:], system: [:], now: try #require(GoogleTimestamp(rfc3339: "2024-03-04T11:00:00Z")).date)
        #expect(engine.start(&cursor, &scope) == [.say(.text("closed")), .end], "the desk is always open, the node's hours are over")
    }
}

/// The seeds' variable names and the texts they leave to the configuration.
@Suite("Seed names and texts")
struct SeedNamesTests {
    @Test func clientAppIDAndClientAppNameNameTheChannelAndTheUserChoiceHeaderIsConfigured() throws {
        let yaml = EngineFixture.yaml
            .replacingOccurrences(of: #"text: "Hello ${UserName}!""#, with: #"text: "On ${ClientAppID} (${ClientAppName}), ${ChannelId}""#)
            .replacingOccurrences(of: "  secretKey: s\n", with: "  secretKey: s\n  assignment: { strategy: userChoice, userChoicePrompt: \"Pick a team:\" }\n")
            .replacingOccurrences(of: "skillGroups: [ { id: 1, name: Support, receptionLimit: 1 } ]", with: "skillGroups: [ { id: 1, name: Support, receptionLimit: 1 }, { id: 2, name: Sales, receptionLimit: 1 } ]")
        let config = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
        let engine = ConversationEngine(config: config)
        let context = ConversationEngine.Context(now: EngineFixture.now, routing: EngineFixture.routing())
        let first = engine.handle(EngineFixture.text("hi"), state: nil, context: context)
        #expect(first.effects.compactMap(\.googleMessage).first?.text == "On brands/b/agents/a (Acme Assistant), brands/b/agents/a")
        let asked = engine.handle(EngineFixture.text("human"), state: first.state, context: context)
        #expect(asked.effects.compactMap(\.googleMessage).contains { $0.text?.hasPrefix("Pick a team:") == true })
    }

    /// A human joining and leaving is, in the desk's terms, a src 26 `inSeat` / `outSeat` sent to
    /// the user: on Google the REPRESENTATIVE_JOINED / LEFT events, in the records a message whose
    /// delivery is that event's.
    @Test func joiningAndLeavingAreRecordedAsSrc26WithTheirEvents() throws {
        let engine = EngineFixture.engine
        let context = ConversationEngine.Context(now: EngineFixture.now, routing: EngineFixture.routing())
        let held = engine.handle(EngineFixture.text("hi"), state: nil, context: context).state
        let joined = engine.handle(EngineFixture.text("Talk to a person"), state: held, context: context)
        let ended = try engine.endSession(by: "lena@acme.example", state: joined.state, context: context)
        func seat(_ step: ConversationEngine.Step) -> [(inSeat: Bool, callIds: [String])] {
            step.effects.compactMap { effect in
                guard case .record(let record) = effect, case .custom(let custom)? = record.msgBody.first,
                      case .seatStatus(let inSeat)? = DeskCustomMessage(data: custom.Data) else { return nil }
                return (inSeat, record.callIds)
            }
        }
        func eventIds(_ step: ConversationEngine.Step, _ kind: GoogleEvent.Kind) -> [String] {
            step.effects.compactMap { if case .google(.event(let id, let event)) = $0, event.eventType == kind { id } else { nil } }
        }
        #expect(seat(joined).map(\.inSeat) == [true])
        #expect(seat(joined).first?.callIds == eventIds(joined, .REPRESENTATIVE_JOINED))
        #expect(seat(ended).map(\.inSeat) == [false])
        #expect(seat(ended).first?.callIds == eventIds(ended, .REPRESENTATIVE_LEFT))
    }

    /// The seed's welcome card lists eight questions; `popularCount` shows that many.
    @Test func theFAQWelcomeCardShowsAsManyQuestionsAsConfigured() throws {
        let questions = (1...9).map { "          - { question: \"Question \($0)?\", answer: \"Answer \($0).\" }" }.joined(separator: "\n")
        let yaml = """
            desk: { secretKey: s }
            flows:
              main:
                start: faq
                nodes:
                  faq:
                    type: chatbot
                    header: "You may ask"
                    popularCount: 8
                    questions:
            \(questions)
                    next: done
                  done: { type: end }
            """
        let config = try ConfigLoader.parse(yaml: yaml, directory: URL(fileURLWithPath: "/tmp"), environment: [:]).get().config
        var cursor = FlowCursor(flow: "main")
        var scope = FlowEngine.Scope(variables: [:], system: [:], now: EngineFixture.now)
        let effects = FlowEngine(flow: config.flows.flows["main"]!, schedule: WorkingSchedule(config.desk.workingHours)).start(&cursor, &scope)
        guard case .say(.botCard(let card))? = effects.last else { Issue.record("no welcome card"); return }
        #expect(card.items.map(\.content) == (1...8).map { "Question \($0)?" })
    }
}
