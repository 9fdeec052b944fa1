public import SwitchyardCore

/// Runs one request over its candidate deployments: an attempt that fails with a retryable or
/// deployment-specific error moves on to the next candidate, up to `maxAttempts` in all, with a
/// short bounded backoff when it has to come back to a deployment it already tried.
public struct Executor: Sendable {
    public let maxAttempts: Int
    public let maxBackoffSeconds: Double

    public init(maxAttempts: Int, maxBackoffSeconds: Double = 2) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// The value of the first successful attempt and how many attempts were made.
    public func run<Value: Sendable>(
        candidates: [Deployment],
        attempt: (Deployment) async throws -> Value
    ) async throws(GatewayError) -> (value: Value, deployment: Deployment, attempts: Int) {
        precondition(!candidates.isEmpty, "the router never returns an empty candidate list")
        var lastError = GatewayError.noHealthyDeployment(candidates[0].alias)
        for number in 0..<maxAttempts {
            let deployment = candidates[number % candidates.count]
            if number >= candidates.count {
                let backoff = min(maxBackoffSeconds, lastError.retryAfterSeconds ?? 0.1 * Double(1 << min(number, 6)))
                do { try await Task.sleep(for: .seconds(backoff)) } catch { throw lastError }
            }
            do {
                return (try await attempt(deployment), deployment, number + 1)
            } catch let error as GatewayError {
                lastError = error
                let canContinue = number < candidates.count - 1 ? error.allowsFailover : error.isRetryable
                guard canContinue, !Task.isCancelled else { throw error }
            } catch is CancellationError {
                throw .internalError("The request was cancelled.")
            } catch {
                throw .internalError("Unexpected failure: \(error)")
            }
        }
        throw lastError
    }
}
