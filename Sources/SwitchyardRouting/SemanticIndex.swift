/// The semantic cache's index (pure): prompt embeddings (the learned router's pooled,
/// L2-normalised vectors) with the exact-cache key of their answer, per partition (alias and
/// scope). Bounded by entries — the oldest goes first — and so by bytes.
///
/// A lookup compares 64-bit sign codes first (one popcount per entry) and computes cosines — dot
/// products of unit vectors — only for entries within `maxHammingDistance` bits. Mean-pooled embeddings share a large common
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
    /// Every vector scaled to unit length (so a cosine is a dot product), `dims` floats each, in one buffer.
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
        guard vector.count == dims, let vector = Self.unit(vector) else { return }
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
        guard vector.count == dims, let partition = partitionIDs[partition], let query = Self.unit(vector) else { return nil }
        let code = Self.code(query[...], centre: centre)
        let limit = centre == nil ? 64 : Self.maxHammingDistance
        var best: (entry: Int, similarity: Float)?
        let floor = Float(threshold)
        // One pass over the codes (a popcount each); dot products only for the near ones.
        codes.withUnsafeBufferPointer { codes in
            partitions.withUnsafeBufferPointer { partitions in
                vectors.withUnsafeBufferPointer { vectors in
                    query.withUnsafeBufferPointer { query in
                        for entry in 0..<codes.count where (codes[entry] ^ code).nonzeroBitCount <= limit && partitions[entry] == partition {
                            let similarity = Self.dot(query, vectors, offset: entry &* dims)
                            if similarity >= floor && similarity > (best?.similarity ?? -2) { best = (entry, similarity) }
                        }
                    }
                }
            }
        }
        return best.map { (keys[$0.entry], Double($0.similarity)) }
    }

    /// `vector` scaled to unit length; nil for a zero (or non-finite) vector, which has no direction.
    static func unit(_ vector: [Float]) -> [Float]? {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return nil }
        return vector.map { $0 / norm }
    }

    /// The dot product of `a` and the vector at `offset`, eight lanes at a time.
    static func dot(_ a: UnsafeBufferPointer<Float>, _ vectors: UnsafeBufferPointer<Float>, offset: Int) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        let count = a.count
        while index &+ 8 <= count {
            let x = SIMD8<Float>(a[index], a[index &+ 1], a[index &+ 2], a[index &+ 3], a[index &+ 4], a[index &+ 5], a[index &+ 6], a[index &+ 7])
            let base = offset &+ index
            let y = SIMD8<Float>(
                vectors[base], vectors[base &+ 1], vectors[base &+ 2], vectors[base &+ 3], vectors[base &+ 4], vectors[base &+ 5],
                vectors[base &+ 6], vectors[base &+ 7])
            lanes += x * y
            index &+= 8
        }
        var sum = lanes.sum()
        while index < count {
            sum += a[index] * vectors[offset &+ index]
            index &+= 1
        }
        return sum
    }
}
