import Foundation

/// A throwaway `redis-server` on 127.0.0.1, in a temporary directory, for tests that need a real
/// Redis (never the system service). It can be stopped and started again on the same port, to
/// test what happens when Redis goes away.
public final class RedisServerProcess: @unchecked Sendable {
    public private(set) var port = 0
    public let password: String?
    private let directory: URL
    private let lock = NSLock()
    private var process: Process?

    /// Whether a `redis-server` binary is on the PATH (tests that need one are enabled by it).
    public static var isAvailable: Bool { executable != nil }

    static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") + ["/usr/bin", "/usr/sbin"]
        return paths.map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts a server on a free port (retrying another port when one is taken).
    public init(password: String? = nil) throws {
        self.password = password
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: (any Error)?
        for _ in 0..<8 {
            let candidate = Int.random(in: 20_000..<60_000)
            do {
                port = candidate
                try start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestServerError("redis-server did not start")
    }

    public var url: String {
        password.map { "redis://:\($0)@127.0.0.1:\(port)/0" } ?? "redis://127.0.0.1:\(port)/0"
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    public func start() throws {
        guard let executable = Self.executable else { throw TestServerError("redis-server is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path, "--loglevel", "warning"]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else { throw TestServerError("redis-server exited (port \(port) taken?)") }
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        throw TestServerError("redis-server did not accept connections on \(port)")
    }

    /// Stops the server (SIGKILL: as abrupt as a crash) and waits for it to exit.
    public func stop() {
        let process = lock.withLock { () -> Process? in
            defer { self.process = nil }
            return self.process
        }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (starting or stopping a server process, waiting for it) on a GCD thread:
/// a test awaiting it must not hold one of Swift concurrency's few cooperative threads, or every
/// other test in the process stalls with it.
public func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

extension RedisServerProcess {
    /// Starts a server without blocking the caller's thread.
    public static func launch(password: String? = nil) async throws -> RedisServerProcess {
        try await offloaded { try RedisServerProcess(password: password) }
    }

    /// Kills the server (as abruptly as a crash), without blocking the caller's thread.
    public func crash() async {
        _ = try? await offloaded { self.stop() }
    }

    /// Starts it again on the same port, without blocking the caller's thread.
    public func restart() async throws {
        try await offloaded { try self.start() }
    }
}

extension PostgresServerProcess {
    /// The process's shared server, started on first use without blocking the caller's thread.
    public static func sharedServer() async throws -> PostgresServerProcess {
        try await offloaded { try shared.get() }
    }

    /// A fresh, empty database on the shared server.
    public static func freshDatabase() async throws -> String {
        let server = try await sharedServer()
        return try await offloaded { try server.createDatabase() }
    }
}
