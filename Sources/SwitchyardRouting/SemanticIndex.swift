/// The semantic cache's index (pure): prompt embeddings (the learned router's pooled,
/// L2-normalised vectors) with the exact-cache key of their answer, per partition (alias and
/// scope). Bounded by entries — the oldest goes first — and so by bytes.
///
/// A lookup compares 64-bit sign codes first (one popcount per entry) and computes cosines only
/// for entries within `maxHammingDistance` bits. Mean-pooled embeddings share a large common
/// direction, so the codes are taken relative to the mean of the first `calibrationSize` vectors
/// stored (before that the few entries are compared in full); figures: the `Semantic cache`
/// micro-benchmark in docs/benchmarks.md.
public struct SemanticIndex: Sendable {
    public let maxEntries: Int
    /// Entries whose codes differ in more bits than this are not compared.
    public static let maxHammingDistance = 12
    /// Vectors averaged into the centre the codes are taken from.
    public static let calibrationSize = 1024

    private var codes: [UInt64] = []
    private var partitions: [Int] = []
    private var keys: [String] = []
    /// Every vector, `dims` floats each, in one buffer.
    private var vectors: [Float] = []
    private var dims = 0
    private var next = 0
    private var partitionIDs: [String: Int] = [:]
    private var centre: [Float]?
    private var sum: [Double] = []

    public init(maxEntries: Int) {
        self.maxEntries = max(1, maxEntries)
    }

    public var count: Int { keys.count }

    /// Sign bits of the first 64 dimensions of `vector − centre`.
    static func code(_ vector: ArraySlice<Float>, centre: [Float]?) -> UInt64 {
        var code: UInt64 = 0
        for (bit, index) in vector.indices.prefix(64).enumerated() where vector[index] - (centre?[bit] ?? 0) > 0 { code |= 1 << UInt64(bit) }
        return code
    }

    public mutating func insert(_ vector: [Float], partition: String, key: String) {
        guard !vector.isEmpty else { return }
        if dims == 0 {
            dims = vector.count
            sum = [Double](repeating: 0, count: dims)
        }
        guard vector.count == dims else { return }
        let partition = partitionIDs[partition] ?? {
            let id = partitionIDs.count
            partitionIDs[partition] = id
            return id
        }()
        if centre == nil {
            for index in 0..<dims { sum[index] += Double(vector[index]) }
        }
        let code = Self.code(vector[...], centre: centre)
        if keys.count < maxEntries {
            codes.append(code)
            partitions.append(partition)
            keys.append(key)
            vectors += vector
        } else {
            codes[next] = code
            partitions[next] = partition
            keys[next] = key
            vectors.replaceSubrange(next * dims..<(next + 1) * dims, with: vector)
            next = (next + 1) % maxEntries
        }
        if centre == nil && keys.count >= Self.calibrationSize { calibrate() }
    }

    /// Fixes the centre at the mean so far and recomputes every code from it.
    private mutating func calibrate() {
        let centre = sum.map { Float($0 / Double(keys.count)) }
        self.centre = centre
        for entry in 0..<keys.count { codes[entry] = Self.code(vectors[entry * dims..<(entry + 1) * dims], centre: centre) }
    }

    /// The most similar entry of `partition` with cosine similarity at least `threshold`.
    public func nearest(to vector: [Float], partition: String, threshold: Double) -> (key: String, similarity: Double)? {
        guard vector.count == dims, let partition = partitionIDs[partition] else { return nil }
        let code = Self.code(vector[...], centre: centre)
        let limit = centre == nil ? 64 : Self.maxHammingDistance
        var best: (entry: Int, similarity: Double)?
        vectors.withUnsafeBufferPointer { vectors in
            for entry in 0..<codes.count where (codes[entry] ^ code).nonzeroBitCount <= limit && partitions[entry] == partition {
                let similarity = Self.cosine(vector, vectors, offset: entry * dims)
                if similarity >= threshold && similarity > (best?.similarity ?? -2) { best = (entry, similarity) }
            }
        }
        return best.map { (keys[$0.entry], $0.similarity) }
    }

    static func cosine(_ a: [Float], _ vectors: UnsafeBufferPointer<Float>, offset: Int) -> Double {
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for index in 0..<a.count {
            let b = vectors[offset + index]
            dot += a[index] * b
            normA += a[index] * a[index]
            normB += b * b
        }
        guard normA > 0, normB > 0 else { return -1 }
        return Double(dot / (normA.squareRoot() * normB.squareRoot()))
    }
}
