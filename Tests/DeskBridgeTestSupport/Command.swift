import Foundation

/// Runs a program to its end and answers its exit status and everything it printed (stdout and
/// stderr together): for tests of the command line and the developer scripts.
package enum Command {
    package static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                            in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
