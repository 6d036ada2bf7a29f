import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Hummingbird

/// The console's roles at its door (README, "Roles and scopes"): every console call belongs to a
/// module, and is answered only for a signed-in user whose role opens that module, with the
/// skill groups the role shows in it. Anything else is 403 and changes nothing.
struct ConsoleGate: Sendable {
    let commands: DeskCommands
    let api: SignedInAPI
    private var desk: DeskConfig { commands.desk }

    /// The scope `module` has for the signed-in user, or a refusal naming the module.
    func scope(_ signIn: WorkbenchSignIns.SignIn, _ module: ConsoleModule) throws(DeskCommandError) -> GroupScope {
        guard let scope = desk.consoleAccess(signIn.agent)?.scope(module) else { throw .outsideRole("the \(module.rawValue) module") }
        return scope
    }

    /// A read of `module`.
    func get(_ router: Router<DeskRequestContext>, _ path: RouterPath, _ module: ConsoleModule,
             _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, GroupScope, Request) async throws -> any Encodable) {
        api.get(router, path) { signIn, request in try await handler(signIn, try scope(signIn, module), request) }
    }

    /// A change in `module` (CSRF-checked, a JSON object body).
    func post(_ router: Router<DeskRequestContext>, _ path: RouterPath, _ module: ConsoleModule,
              _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, GroupScope, [String: String]) async throws -> any Encodable) {
        api.post(router, path) { signIn, _, body in try await handler(signIn, try scope(signIn, module), body) }
    }

    /// A change in `module` whose JSON body decodes as `Body`.
    func post<Body: Decodable & Sendable>(_ router: Router<DeskRequestContext>, _ path: RouterPath, _ module: ConsoleModule, as type: Body.Type,
                                          _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, GroupScope, Body) async throws -> any Encodable) {
        api.post(router, path, as: type) { signIn, body in try await handler(signIn, try scope(signIn, module), body) }
    }

    /// A read of `module` answered with its own response (an export, a stream).
    func respond(_ router: Router<DeskRequestContext>, _ path: RouterPath, _ module: ConsoleModule,
                 _ handler: @escaping @Sendable (WorkbenchSignIns.SignIn, GroupScope, Request) async throws -> Response) {
        router.get(path) { request, _ in
            guard let signIn = try await api.signIn(request) else { return SignedInAPI.refusal(.unauthorized, "sign in first") }
            return try await SignedInAPI.answerResponse { try await handler(signIn, try scope(signIn, module), request) }
        }
    }

    /// The user's access as the page reads it: the role and, per module, `all` or the group ids.
    struct Me: Encodable {
        var identity: String
        var role: String
        var modules: [String: [Int]]
        /// The modules that show every group (the others list theirs in `modules`).
        var allGroups: [String]
        var csrfToken: String
    }

    func me(_ signIn: WorkbenchSignIns.SignIn) throws(DeskCommandError) -> Me {
        guard let access = desk.consoleAccess(signIn.agent) else { throw .outsideRole("the console") }
        var modules: [String: [Int]] = [:], all: [String] = []
        for (module, scope) in access.modules {
            switch scope {
            case .all: modules[module.rawValue] = desk.skillGroups.map(\.id.rawValue); all.append(module.rawValue)
            case .groups(let groups): modules[module.rawValue] = groups.map(\.rawValue).sorted()
            }
        }
        return Me(identity: signIn.agent.rawValue, role: access.role, modules: modules, allGroups: all.sorted(), csrfToken: signIn.csrfToken)
    }
}
