import Foundation

/// Sends the load to `ports` (alternating, as a round-robin proxy would) with every worker
/// running, prints the webhooks' own figures, then waits until each webhook's two bot replies
/// (welcome and menu, or error prompt and menu) reached the stand-in and prints the rate of
/// webhooks fully replied.
func runEndToEnd(ports: [Int], arrivals: ArrivalLog, labels: (ingest: String, endToEnd: String), load: LoadGenerator, ceiling: Double) async throws {
    let started = ContinuousClock.now
    let cpu = LoadGenerator.cpuSeconds()
    let ingest = await load.run { Payload.request(ports[$0 % ports.count], Payload.webhook("c-\($0 % 2_000)", $0)) }
    report(labels.ingest, ingest, ceiling: ceiling)
    let expected = ingest.completed * 2
    let deadline = ContinuousClock.now + .seconds(30)
    while arrivals.total < expected, ContinuousClock.now < deadline { try await ContinuousClock().sleep(for: .milliseconds(20)) }
    let elapsed = seconds(ContinuousClock.now - started)
    let delivered = arrivals.total
    let cores = (LoadGenerator.cpuSeconds() - cpu) / elapsed
    print(String(format: "%-11@ %9.0f req/s  (%d of %d replies delivered %.1f s after the first webhook, %.2f cores busy)  %.2f× ceiling",
                 labels.endToEnd as NSString, Double(delivered / 2) / elapsed, delivered, expected, elapsed, cores, Double(delivered / 2) / elapsed / ceiling))
}
