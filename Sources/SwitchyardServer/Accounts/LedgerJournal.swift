import Dispatch
import Foundation
import Synchronization
import SwitchyardAccounts

/// The write-ahead journal of served requests: a request's ledger row is appended here and
/// fsync'd before the client gets its final bytes, so a crash of the process (`kill -9`, OOM)
/// after a response never loses its row. The store is written behind (`LedgerFlusher`); rows
/// already in the store are dropped from the journal, and whatever is left is replayed into the
/// store at start-up (the store skips request ids it already has, so a row is metered once).
///
/// Files: `<directory>/segment-<n>.jsonl`, one JSON `LedgerEntry` per line. Appends go to the
/// newest segment; each flush of the store starts a new one and, once the store has the rows,
/// deletes the older ones. Concurrent appends share one `fdatasync` (group commit) on a queue of
/// the journal's own, off the concurrency pool.
final class LedgerJournal: Sendable {
    let directory: URL
    private let queue = DispatchQueue(label: "switchyard.ledger-journal")
    private let state: Mutex<State>

    private struct State {
        var file: FileHandle
        var segment: Int
        var buffer: [UInt8] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        var draining = false
        var failed = false
    }

    /// Opens (creating) the journal directory and starts a new segment after any existing ones.
    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let next = (LedgerJournal.segments(in: directory).last?.number ?? 0) + 1
        state = Mutex(State(file: try LedgerJournal.create(directory, next), segment: next))
    }

    /// Appends `entry` and returns once it is on disk (with the others appended meanwhile).
    func append(_ entry: LedgerEntry) async {
        guard var line = try? JSONEncoder().encode(entry) else { return }
        line.append(0x0A)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let start = state.withLock { state -> Bool in
                state.buffer.append(contentsOf: line)
                state.waiters.append(continuation)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Writes and syncs what is buffered, repeatedly, until nothing is left.
    private func drain() {
        while true {
            let work = state.withLock { state -> (FileHandle, [UInt8], [CheckedContinuation<Void, Never>])? in
                guard !state.waiters.isEmpty else {
                    state.draining = false
                    return nil
                }
                defer { state.buffer.removeAll(keepingCapacity: true); state.waiters.removeAll() }
                return (state.file, state.buffer, state.waiters)
            }
            guard let (file, bytes, waiters) = work else { return }
            do {
                try file.write(contentsOf: bytes)
                try file.synchronize()
            } catch {
                // The rows stay queued for the store; only crash-safety is lost. Never block requests on it.
                state.withLock { $0.failed = true }
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Starts a new segment; returns the number of the last one that can be deleted once the
    /// store holds every row queued so far. Called with the flush's batch taken.
    func rotate() -> Int? {
        state.withLock { state -> Int? in
            guard let file = try? LedgerJournal.create(directory, state.segment + 1) else { return nil }
            // The old handle is closed after the writes queued to it are done.
            let old = state.file
            queue.async { try? old.close() }
            state.file = file
            state.segment += 1
            return state.segment - 1
        }
    }

    /// Deletes the segments up to `number` (their rows are in the store), after the writes
    /// queued to them.
    func delete(through number: Int) {
        let directory = self.directory
        queue.async { LedgerJournal.deleteSegments(in: directory, through: number) }
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

    private static func create(_ directory: URL, _ number: Int) throws -> FileHandle {
        let url = directory.appendingPathComponent("segment-\(number).jsonl")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return try FileHandle(forWritingTo: url)
    }
}
