import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// Event-loop threads: one per core unless SWITCHYARD_EVENT_LOOPS says otherwise (set before the
// shared group exists).
if let loops = ProcessInfo.processInfo.environment["SWITCHYARD_EVENT_LOOPS"].flatMap(Int.init), loops > 0 {
    NIOSingletons.groupLoopCountSuggestion = loops
}

// Run Swift concurrency on NIO's event loops: request handlers, the upstream client and the
// server then share threads instead of hopping between two pools on every request.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

do {
    // ArgumentParser's own async `main()` cannot be used: the hook above must be installed from
    // synchronous top-level code, before any task runs. So async commands implement `runAsync()`, awaited here.
    var command = try Switchyard.parseAsRoot()
    if let asyncCommand = command as? any AsyncRunnableCommand {
        try await asyncCommand.runAsync()
    } else {
        try command.run()
    }
} catch {
    Switchyard.exit(withError: error)
}
