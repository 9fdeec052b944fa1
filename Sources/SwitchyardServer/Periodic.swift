import ServiceLifecycle

/// The loop of the gateway's periodic Services: run `work` every `interval` until graceful
/// shutdown begins (the sleep is cancelled then, so shutdown never waits out an interval).
enum Periodic {
    static func run(every interval: Duration, _ work: @escaping @Sendable () async -> Void) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await work()
            }
        }
    }
}
