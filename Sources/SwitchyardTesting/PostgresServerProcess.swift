import Foundation

/// A throwaway PostgreSQL server on 127.0.0.1, in a temporary directory (never the system
/// service), for tests that need a real one. Run as root (CI containers), it drops to the
/// `postgres` user, as PostgreSQL requires. Each `createDatabase()` gives a fresh, empty database.
public final class PostgresServerProcess: @unchecked Sendable {
    public private(set) var port = 0
    public let user = "switchyard"
    private let directory: URL
    private let lock = NSLock()
    private var process: Process?
    private var databases = 0
    private let durableCommits: Bool

    /// One server for a whole test process (started on first use, stopped when the process exits).
    public static let shared: Result<PostgresServerProcess, any Error> = Result {
        let server = try PostgresServerProcess()
        atexit { PostgresServerProcess.stopShared() }
        return server
    }

    private static func stopShared() {
        if case .success(let server) = shared {
            server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
    }

    public static var isAvailable: Bool { binDirectory != nil }

    static var binDirectory: String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" } + ["/usr/local/bin", "/usr/bin"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: "\($0)/postgres") && FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// `durableCommits`: a commit is on disk when it returns (`synchronous_commit=on`), so that
    /// `stop()`, as abrupt as a crash, loses no committed transaction. Off by default, for speed:
    /// then a crash may take the last fraction of a second of commits with it, tables included.
    public init(durableCommits: Bool = false) throws {
        self.durableCommits = durableCommits
        guard let bin = Self.binDirectory else { throw TestServerError("PostgreSQL is not installed") }
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("switchyard-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        try Self.run("\(bin)/initdb", ["-D", data.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"], asPostgres: true)
        var lastError: (any Error)?
        for _ in 0..<8 {
            port = Int.random(in: 20_000..<60_000)
            do {
                try start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestServerError("postgres did not start")
    }

    var data: URL { directory.appendingPathComponent("data") }

    /// The server's URL for `database`.
    public func url(database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Creates an empty database and returns its URL.
    public func createDatabase() throws -> String {
        let name = lock.withLock { () -> String in
            databases += 1
            return "test_\(databases)_\(UInt32.random(in: 0...UInt32.max))"
        }
        try Self.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return url(database: name)
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    public func start() throws {
        guard let bin = Self.binDirectory else { throw TestServerError("PostgreSQL is not installed") }
        let process = Process()
        let arguments = [
            "\(bin)/postgres", "-D", data.path, "-p", String(port), "-k", directory.path, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=\(durableCommits ? "on" : "off")", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else { throw TestServerError("postgres exited (port \(port) taken?)") }
            if RedisServerProcess.accepts(port: port), (try? Self.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", "postgres", "-q", "-c", "SELECT 1"])) != nil {
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw TestServerError("postgres did not accept connections on \(port)")
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown, as abrupt as a crash) and waits.
    public func stop() {
        let process = lock.withLock { () -> Process? in
            defer { self.process = nil }
            return self.process
        }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) throws -> Int32 {
        let process = Process()
        if asPostgres && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestServerError("\(executable) exited with \(process.terminationStatus)") }
        return process.terminationStatus
    }
}
