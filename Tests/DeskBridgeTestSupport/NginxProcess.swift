import Foundation

/// nginx from Debian's package, in front of replicas, with the shipped location block
/// (`deploy/nginx/deskbridge-locations.conf`): what the tests exercise is what is deployed.
package final class NginxProcess: Sendable {
    private let process: Process
    package let port: Int
    private let directory: URL

    /// `$DESKBRIDGE_TEST_NGINX`, else nginx on the usual paths.
    package static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["DESKBRIDGE_TEST_NGINX"] { return path }
        return ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    package static var isAvailable: Bool { executable != nil }

    /// Starts nginx on a free loopback port, proxying to `upstreams` (loopback ports).
    package init(upstreams: [Int], port fixedPort: Int? = nil) async throws {
        guard let executable = Self.executable else { throw Failure(message: "nginx not found (apt-get install nginx-light)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deskbridge-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try fixedPort ?? FreePort.pick()
        let locations = ServiceProcess.packageRoot.appendingPathComponent("deploy/nginx/deskbridge-locations.conf").path
        let temp = directory.path
        let config = """
            daemon off;
            worker_processes 1;
            pid \(temp)/nginx.pid;
            error_log \(temp)/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi;
                scgi_temp_path \(temp)/scgi;
                upstream deskbridge {
            \(upstreams.map { "        server 127.0.0.1:\($0) max_fails=1 fail_timeout=2s;" }.joined(separator: "\n"))
                    keepalive 16;
                }
                server {
                    listen 127.0.0.1:\(port);
                    include \(locations);
                }
            }
            """
        try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-p", temp, "-c", directory.appendingPathComponent("nginx.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
        self.directory = directory
        let healthz = "http://127.0.0.1:\(port)/healthz"
        guard try await eventually(timeout: .seconds(15), { (try? await HTTP.get(healthz))?.status == 200 }) else {
            process.terminate()
            throw Failure(message: "nginx did not start: \((try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")")
        }
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }

    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    package struct Failure: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }
}

/// A loopback port nobody listens on right now (for processes that must keep one port across restarts).
package enum FreePort {
    package static func pick() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NginxProcess.Failure(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw NginxProcess.Failure(message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
