import DeskBridgeFuzzTargets
import Foundation

#if FUZZING
/// libFuzzer's entry (`scripts/fuzz` builds this with `--sanitize fuzzer -Xswiftc -DFUZZING`);
/// the target is named by `DESKBRIDGE_FUZZ_TARGET`, read once.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["DESKBRIDGE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        // Before libFuzzer runs anything: a usage error, not a finding (no crash artifact is written).
        FileHandle.standardError.write(Data("set DESKBRIDGE_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    target.run(Data(bytes: bytes, count: count))
    return 0
}
#else
/// Without the fuzzer: `deskbridge-fuzz TARGET FILE…` runs files through a target (to
/// reproduce a crash by hand) and prints each verdict.
@main
struct FuzzReplay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: deskbridge-fuzz TARGET FILE…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            let verdict = target.run(try Data(contentsOf: URL(fileURLWithPath: path)))
            print("\(verdict ? "accepted" : "refused ") \(path)")
        }
    }
}
#endif
