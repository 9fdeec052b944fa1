import Logging
import PostgresNIO
import Synchronization
import SwitchyardAccounts

/// The store's way to PostgreSQL: a postgres-nio client, with a deadline on every call.
///
/// postgres-nio's pool keeps a caller waiting while it backs off from a server that went away
/// (up to a minute between attempts), and after a while trips a breaker that keeps failing calls
/// even once the server is back. A gateway would rather fail the call within seconds — its ledger
/// rows wait in the spool, its keys in the cache — and start afresh: past a deadline, or after a
/// failure that is not the server's answer to the SQL, the client is replaced by a new one, which
/// connects at once when the server is back. (Cancelling the old client's run task shuts its pool
/// down, which fails whatever still waits on it.)
final class PostgresConnector: Sendable {
    private struct Current {
        var client: PostgresClient
        var runner: Task<Void, Never>
        var generation: Int
    }

    private let current: Mutex<Current>
    let configuration: PostgresClient.Configuration
    let logger: Logger
    let deadline: Duration

    init(configuration: PostgresClient.Configuration, logger: Logger, deadline: Duration = .seconds(5)) {
        self.configuration = configuration
        self.logger = logger
        self.deadline = deadline
        let (client, runner) = Self.start(configuration, logger: logger)
        current = Mutex(Current(client: client, runner: runner, generation: 0))
    }

    deinit {
        current.withLock { $0.runner.cancel() }
    }

    private static func start(_ configuration: PostgresClient.Configuration, logger: Logger) -> (PostgresClient, Task<Void, Never>) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return (client, Task { await client.run() })
    }

    /// Stops the current client's pool.
    func shutdown() {
        current.withLock { $0.runner.cancel() }
    }

    /// Runs `query` and returns its rows.
    func query(_ query: PostgresQuery, deadline: Duration? = nil) async throws -> [PostgresRow] {
        let logger = self.logger
        return try await run(deadline ?? self.deadline) { client -> [PostgresRow] in
            var rows: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// Runs `body` in a transaction (committed when it returns, rolled back when it throws).
    func transaction<T: Sendable>(deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await run(deadline ?? self.deadline) { client in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Resumes a continuation once: with the call's result, or with the deadline's error.
    private final class Race<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, any Error>?>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = Mutex(continuation)
        }

        /// False when the other side already won.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            guard let continuation = continuation.withLock({ $0.take() }) else { return false }
            continuation.resume(with: result)
            return true
        }
    }

    /// The task running an abandoned-or-not call (so the deadline can cancel it).
    private final class WorkCell: Sendable {
        private let task = Mutex<Task<Void, Never>?>(nil)
        func set(_ work: Task<Void, Never>) { task.withLock { $0 = work } }
        func cancel() { task.withLock { $0?.cancel() } }
    }

    /// Runs `body` against the current client; past `deadline` the caller gets
    /// `AccountStoreUnavailable` at once (the call is abandoned — a wait inside postgres-nio's pool
    /// cannot always be cancelled — and the client replaced).
    private func run<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let (client, generation) = current.withLock { ($0.client, $0.generation) }
        let work = WorkCell()
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let race = Race(continuation)
                let timer = Task {
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    if race.finish(.failure(AccountStoreUnavailable("PostgreSQL did not answer within \(deadline)"))) {
                        self.replace(generation)
                        work.cancel()
                    }
                }
                work.set(
                    Task {
                        let result: Result<T, any Error>
                        do {
                            result = .success(try await body(client))
                        } catch {
                            result = .failure(error)
                        }
                        if race.finish(result) { timer.cancel() }
                    })
            }
        } catch {
            switch PostgresFailure(error) {
            case .answer(let error):
                throw error
            case .unavailable(let reason):
                replace(generation)
                throw AccountStoreUnavailable("PostgreSQL unavailable: \(reason)")
            }
        }
    }

    /// Replaces the client `generation` (unless that already happened).
    private func replace(_ generation: Int) {
        let configuration = self.configuration
        let logger = self.logger
        let old = current.withLock { current -> Task<Void, Never>? in
            guard current.generation == generation else { return nil }
            let old = current.runner
            let (client, runner) = Self.start(configuration, logger: logger)
            current = Current(client: client, runner: runner, generation: generation + 1)
            return old
        }
        if old != nil { logger.warning("PostgreSQL connection pool replaced after a failure") }
        old?.cancel()
    }
}

/// What a failed call says about the way to the server.
enum PostgresFailure {
    /// The server's answer to the SQL, or the store's own refusal: the caller gets it as it is,
    /// and the connection is fine.
    case answer(any Error)
    /// The way to the server failed: the client is replaced and the caller told the store is
    /// unavailable (`reason` names the failure, never its text, which may quote values).
    case unavailable(reason: String)

    init(_ error: any Error) {
        switch error {
        case let error as PostgresTransactionError:
            // postgres-nio wraps whatever a transaction met; what counts is the first failure.
            if let first = error.beginError ?? error.closureError ?? error.commitError {
                self.init(first)
            } else {
                self = .unavailable(reason: "PostgresTransactionError")
            }
        case is AccountStoreUnavailable, is AccountStoreError:
            self = .answer(error)
        case let error as PSQLError:
            guard let state = error.serverInfo?[.sqlState] else {
                self = .unavailable(reason: "PSQLError")
                return
            }
            self = Self.aboutTheServer(sqlState: state) ? .unavailable(reason: "SQLSTATE \(state)") : .answer(error)
        default:
            self = .unavailable(reason: String(describing: type(of: error)))
        }
    }

    /// SQLSTATE classes about the server rather than the SQL: connection exceptions (08),
    /// insufficient resources such as too many connections (53), operator intervention such as a
    /// shutdown, a restart or recovery (57), system errors (58) and internal errors (XX).
    static func aboutTheServer(sqlState: String) -> Bool {
        ["08", "53", "57", "58", "XX"].contains(String(sqlState.prefix(2)))
    }
}
