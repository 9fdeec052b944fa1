/// The semantic cache's index (pure): prompt embeddings (the learned router's pooled,
/// L2-normalised vectors) with the exact-cache key of their answer, per partition (alias and
/// scope). Bounded by entries — the oldest goes first — and so by bytes. A lookup scans 64-bit
/// sign codes (one popcount per entry) and computes the cosine only for entries within
/// `maxHammingDistance` bits (figures: the `Semantic cache` benchmark, docs/benchmarks.md).
public struct SemanticIndex: Sendable {
    public struct Entry: Sendable {
        var partition: String
        var code: UInt64
        var vector: [Float]
        var key: String
    }

    public let maxEntries: Int
    /// Entries whose codes differ in more bits than this are not compared: at cosine 0.9 two
    /// unit vectors differ in about 9 of 64 sign bits; 20 leaves room for the tail.
    public static let maxHammingDistance = 20
    public private(set) var entries: [Entry] = []
    private var next = 0

    public init(maxEntries: Int) {
        self.maxEntries = max(1, maxEntries)
    }

    /// Sign bits of the first 64 dimensions.
    public static func code(_ vector: [Float]) -> UInt64 {
        var code: UInt64 = 0
        for index in 0..<min(64, vector.count) where vector[index] > 0 { code |= 1 << UInt64(index) }
        return code
    }

    public mutating func insert(_ vector: [Float], partition: String, key: String) {
        let entry = Entry(partition: partition, code: Self.code(vector), vector: vector, key: key)
        if entries.count < maxEntries {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) % maxEntries
        }
    }

    /// The most similar entry of `partition` with cosine similarity at least `threshold`.
    public func nearest(to vector: [Float], partition: String, threshold: Double) -> (key: String, similarity: Double)? {
        let code = Self.code(vector)
        var best: (key: String, similarity: Double)?
        for entry in entries where (entry.code ^ code).nonzeroBitCount <= Self.maxHammingDistance && entry.partition == partition {
            let similarity = Self.cosine(vector, entry.vector)
            if similarity >= threshold && similarity > (best?.similarity ?? -2) { best = (entry.key, similarity) }
        }
        return best
    }

    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return -1 }
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for index in 0..<a.count {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        guard normA > 0, normB > 0 else { return -1 }
        return Double(dot / (normA.squareRoot() * normB.squareRoot()))
    }
}
