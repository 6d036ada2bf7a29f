import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// A closed-loop load generator: `concurrency` workers each send requests back to back for at most
/// `duration`, recording every latency. Bounded in time and count; targets 127.0.0.1 only.
struct LoadGenerator {
    let client: HTTPClient
    let concurrency: Int
    let duration: Duration
    let maxRequests: Int

    struct Result {
        var completed: Int
        var failed: Int
        var elapsed: Duration
        var latencies: [Duration]
        var cpuSeconds: Double

        var throughput: Double { Double(completed) / seconds(elapsed) }

        static let empty = Result(completed: 0, failed: 0, elapsed: .zero, latencies: [], cpuSeconds: 0)

        /// Two runs as one: counts, times and latencies added up.
        static func + (a: Result, b: Result) -> Result {
            Result(completed: a.completed + b.completed, failed: a.failed + b.failed, elapsed: a.elapsed + b.elapsed,
                   latencies: a.latencies + b.latencies, cpuSeconds: a.cpuSeconds + b.cpuSeconds)
        }
        func percentile(_ p: Double) -> Duration {
            guard !latencies.isEmpty else { return .zero }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    /// `request(i)` builds the i-th request (unique payloads come from the index).
    func run(_ request: @escaping @Sendable (Int) -> HTTPClientRequest) async -> Result {
        await runUnits { index in
            let response = try await client.execute(request(index), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            return response.status.code < 300
        }
    }

    /// Each unit is any piece of work (a request, or a whole conversation); true when it succeeded.
    func runUnits(_ unit: @escaping @Sendable (Int) async throws -> Bool) async -> Result {
        let counter = RequestCounter()
        let cpuBefore = Self.cpuSeconds()
        let start = ContinuousClock.now
        let deadline = start + duration
        let (latencies, failed) = await withTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var local: [Duration] = []
                    var failures = 0
                    while ContinuousClock.now < deadline {
                        let index = counter.next()
                        guard index <= maxRequests else { break }
                        let sent = ContinuousClock.now
                        do {
                            if try await unit(index) { local.append(ContinuousClock.now - sent) } else { failures += 1 }
                        } catch {
                            failures += 1
                        }
                    }
                    return (local, failures)
                }
            }
            var all: [Duration] = []
            var failures = 0
            for await (local, f) in group {
                all += local
                failures += f
            }
            return (all, failures)
        }
        return Result(completed: latencies.count, failed: failed, elapsed: ContinuousClock.now - start, latencies: latencies,
                      cpuSeconds: Self.cpuSeconds() - cpuBefore)
    }

    /// User + system CPU time of this process (server and generator alike).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Resident set size of this process in MiB.
    static func residentMiB() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = Double(statm.split(separator: " ")[1]) ?? 0
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func millis(_ duration: Duration) -> String { String(format: "%.2f", seconds(duration) * 1_000) }

/// Hands out 1, 2, 3, … to the workers.
final class RequestCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
