import Dispatch
import Foundation
import Synchronization
import SwitchyardAccounts

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write-ahead journal of served requests: a request's ledger row is written here before the
/// client gets its final bytes, so a crash of the process (`kill -9`, OOM) after a response never
/// loses its row. The store is written behind (`LedgerFlusher`); rows already in the store are
/// dropped from the journal, and whatever is left is replayed into the store at start-up (the
/// store skips request ids it already has, so a row is metered once).
///
/// `append` costs the request one `write(2)` and nothing else: once it returns the row is in the
/// kernel's page cache, which outlives the process. A syncer thread of the journal's own
/// group-commits with `fdatasync` every `syncInterval` while there is anything unsynced, so the
/// disk — and a power loss — lags by at most that interval plus one sync; the request never waits
/// for it. The syncer also closes rotated segments and deletes flushed ones, so no file work
/// blocks an event loop.
///
/// Files: `<directory>/segment-<n>.jsonl`, one JSON `LedgerEntry` per line. Appends go to the
/// newest segment; each flush of the store starts a new one and, once the store has the rows,
/// deletes the older ones.
final class LedgerJournal: Sendable {
    let directory: URL
    private let syncer: Syncer

    /// Opens (creating) the journal directory and starts a new segment after any existing ones.
    init(directory: URL, syncInterval: Duration = .milliseconds(10)) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let next = (LedgerJournal.segments(in: directory).last?.number ?? 0) + 1
        syncer = Syncer(directory: directory, file: try LedgerJournal.create(directory, next), segment: next, interval: syncInterval)
        let syncer = self.syncer
        let thread = Thread { syncer.run() }
        thread.name = "switchyard-ledger-journal"
        thread.start()
    }

    deinit { syncer.stop() }

    /// Writes `entry`; when this returns the row survives a crash of the process (the syncer
    /// makes it survive a power loss shortly after).
    func append(_ entry: LedgerEntry) {
        syncer.write(entry.journalLine)
    }

    /// Whether every row appended so far has been through `fdatasync`.
    var isSynced: Bool { syncer.isSynced }

    /// Whether a write or sync failed since start-up (rows still reach the store; crash-safety is lost).
    var hasFailed: Bool { syncer.hasFailed }

    /// Starts a new segment; returns the number of the last one that can be deleted once the
    /// store holds every row queued so far. Called with the flush's batch taken.
    func rotate() -> Int? {
        guard let file = try? LedgerJournal.create(directory, syncer.segment + 1) else { return nil }
        return syncer.rotate(to: file)
    }

    /// Deletes the segments up to `number` (their rows are in the store), on the syncer's thread.
    func delete(through number: Int) {
        syncer.delete(through: number)
    }

    /// The rows of every segment (left by a crashed or stopped process), oldest first; a torn
    /// last line of a segment is skipped.
    static func recover(from directory: URL) -> (entries: [LedgerEntry], through: Int?) {
        let segments = segments(in: directory)
        var entries: [LedgerEntry] = []
        let decoder = JSONDecoder()
        for segment in segments {
            guard let data = try? Data(contentsOf: segment.url) else { continue }
            for line in data.split(separator: 0x0A) {
                if let entry = try? decoder.decode(LedgerEntry.self, from: Data(line)) { entries.append(entry) }
            }
        }
        return (entries, segments.last?.number)
    }

    /// Deletes the segments through `number` (recovered ones once the store has their rows).
    static func deleteSegments(in directory: URL, through number: Int) {
        for segment in segments(in: directory) where segment.number <= number {
            try? FileManager.default.removeItem(at: segment.url)
        }
    }

    private static func segments(in directory: URL) -> [(number: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("segment-"), name.hasSuffix(".jsonl"),
                let number = Int(name.dropFirst("segment-".count).dropLast(".jsonl".count))
            else { return nil }
            return (number, directory.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// A new, empty segment file opened for appending (its descriptor).
    private static func create(_ directory: URL, _ number: Int) throws -> Int32 {
        let path = directory.appendingPathComponent("segment-\(number).jsonl").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        return descriptor
    }
}

extension LedgerJournal {
    /// The journal's file state and its syncer thread: writes happen on the caller's thread under
    /// the lock (one `write(2)`, so lines never interleave); syncs, closes and deletes on the thread.
    final class Syncer: Sendable {
        private struct State {
            var file: Int32
            var segment: Int
            /// Bytes written since the last sync began.
            var unsynced = false
            /// A sync is running (its rows are not known to be on disk yet).
            var syncing = false
            /// Rotated segments' descriptors, to sync and close.
            var retired: [Int32] = []
            var deleteThrough: Int?
            var failed = false
            var stopped = false
        }

        private let state: Mutex<State>
        private let wakeup = DispatchSemaphore(value: 0)
        private let directory: URL
        /// The rest after a sync, in microseconds.
        private let pause: UInt32

        init(directory: URL, file: Int32, segment: Int, interval: Duration) {
            self.directory = directory
            let (seconds, attoseconds) = interval.components
            pause = UInt32(clamping: min(max(0, seconds), 60) * 1_000_000 + attoseconds / 1_000_000_000_000)
            state = Mutex(State(file: file, segment: segment))
        }

        var segment: Int { state.withLock { $0.segment } }
        var isSynced: Bool { state.withLock { !$0.unsynced && !$0.syncing } }
        var hasFailed: Bool { state.withLock { $0.failed } }

        func write(_ line: [UInt8]) {
            let wake = state.withLock { state -> Bool in
                if !Syncer.writeAll(state.file, line) { state.failed = true }
                defer { state.unsynced = true }
                return !state.unsynced
            }
            if wake { wakeup.signal() }
        }

        func rotate(to file: Int32) -> Int {
            state.withLock { state -> Int in
                state.retired.append(state.file)
                state.file = file
                state.segment += 1
                return state.segment - 1
            }
        }

        func delete(through number: Int) {
            state.withLock { $0.deleteThrough = max($0.deleteThrough ?? number, number) }
            wakeup.signal()
        }

        func stop() {
            state.withLock { $0.stopped = true }
            wakeup.signal()
        }

        /// The syncer thread: waits for work, syncs what was written (and retired segments), closes
        /// and deletes, then rests `interval` so concurrent writes share the next sync.
        func run() {
            while true {
                wakeup.wait()
                let (file, retired, deleteThrough, stopped) = state.withLock { state in
                    defer {
                        state.retired.removeAll()
                        state.deleteThrough = nil
                        state.syncing = state.unsynced
                        state.unsynced = false
                    }
                    return (state.unsynced ? state.file : nil, state.retired, state.deleteThrough, state.stopped)
                }
                var failed = false
                for descriptor in retired {
                    failed = !Syncer.sync(descriptor) || failed
                    close(descriptor)
                }
                if let file { failed = !Syncer.sync(file) || failed }
                if let deleteThrough { LedgerJournal.deleteSegments(in: directory, through: deleteThrough) }
                state.withLock { state in
                    state.syncing = false
                    if failed { state.failed = true }
                }
                if stopped {
                    let file = state.withLock { $0.file }
                    _ = Syncer.sync(file)
                    close(file)
                    return
                }
                if file != nil { usleep(pause) }
            }
        }

        /// `write(2)` until every byte is written (short writes, interruptions).
        private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { buffer -> Bool in
                guard let base = buffer.baseAddress else { return true }
                var offset = 0
                while offset < buffer.count {
                    #if canImport(Glibc)
                    let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                    #else
                    let written = Darwin.write(descriptor, base + offset, buffer.count - offset)
                    #endif
                    if written < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    offset += written
                }
                return true
            }
        }

        /// The data (not the metadata a reader does not need) of `descriptor` to disk.
        private static func sync(_ descriptor: Int32) -> Bool {
            #if canImport(Glibc)
            fdatasync(descriptor) == 0
            #else
            fsync(descriptor) == 0
            #endif
        }
    }
}
