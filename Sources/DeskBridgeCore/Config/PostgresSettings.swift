import Foundation

/// `storage.url` as a PostgreSQL connection: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…&pool=…`.
///
/// Plain values in the core, so the configuration layer checks the URL without linking a
/// database driver, and the PostgreSQL adapter takes them without the YAML library.
/// `description` never shows the password.
package struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// `sslmode`: `disable`, `prefer` (the default, like libpq) or `require`.
    package enum TLSMode: String, Sendable { case disable, prefer, require }

    package var host: String
    package var port: Int
    package var username: String
    package var password: String?
    package var database: String
    package var tls: TLSMode
    /// Connections this replica opens at most (`pool`, default 10). Every replica counts
    /// against the server's `max_connections`.
    package var maxConnections: Int

    package init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer, maxConnections: Int = 10) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maxConnections = maxConnections
    }

    /// Parses a `postgres://` or `postgresql://` URL; the error says what is wrong without echoing the URL.
    package static func parse(_ url: String) -> Result<PostgresSettings, ParseError> {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            // Name the part that is wrong (never echoing the URL, which holds the password).
            if let authority = url.split(separator: "@", maxSplits: 1).last?.split(separator: "/").first,
               let port = authority.split(separator: ":").dropFirst().first, !port.allSatisfy(\.isNumber) {
                return .failure(ParseError("port is not a number"))
            }
            return .failure(ParseError("must be postgres://USER:PASSWORD@HOST:PORT/DATABASE"))
        }
        guard let host = components.host, !host.isEmpty else { return .failure(ParseError("names no host")) }
        guard let user = components.user, !user.isEmpty else { return .failure(ParseError("names no user")) }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { return .failure(ParseError("names no database (…/DATABASE)")) }
        if let port = components.port, !(1...65_535).contains(port) { return .failure(ParseError("port must be between 1 and 65535")) }
        var settings = PostgresSettings(host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                                        password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else { return .failure(ParseError("sslmode must be disable, prefer or require")) }
                settings.tls = mode
            case "pool":
                guard let size = item.value.flatMap(Int.init), (1...500).contains(size) else { return .failure(ParseError("pool must be between 1 and 500")) }
                settings.maxConnections = size
            default:
                return .failure(ParseError("unknown parameter \(item.name) (known: sslmode, pool)"))
            }
        }
        return .success(settings)
    }

    /// The URL without its password, for logs.
    package var description: String { "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)&pool=\(maxConnections)" }

    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }
}
