import Synchronization
import SwitchyardRouting

/// The semantic index of this process behind a lock.
final class SemanticCache: Sendable {
    private let index: Mutex<SemanticIndex>

    init(maxEntries: Int) {
        index = Mutex(SemanticIndex(maxEntries: maxEntries))
    }

    func insert(_ vector: [Float], partition: String, key: String) {
        index.withLock { $0.insert(vector, partition: partition, key: key) }
    }

    func nearest(to vector: [Float], partition: String, threshold: Double) -> (key: String, similarity: Double)? {
        index.withLock { $0.nearest(to: vector, partition: partition, threshold: threshold) }
    }
}
