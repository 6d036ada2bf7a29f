import Foundation

/// One serving process per SQLite file: an exclusive `flock` on `<file>.lock`, held while the
/// process serves and released by the kernel when it exits (even by `kill -9`).
///
/// SQLite itself would let a second process open the file, and two processors would then race
/// on every conversation; a second `serve` refuses to start instead, naming the file.
package final class SQLiteFileLock: Sendable {
    private let descriptor: Int32

    package struct Held: Error, CustomStringConvertible {
        package var path: String
        package var description: String {
            "\(path) is already being served by another deskbridge process (lock held on \(path).lock); stop it or choose another storage.url"
        }
    }

    package init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path + ".lock"]) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Held(path: path)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
