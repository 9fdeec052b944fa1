import Foundation
public import SwitchyardCore

/// The learned router's model as `tools/router/build.py` writes it: a WordPiece vocabulary, a
/// static token-embedding table (float16, frequency-weighted and PCA-projected), scalar-feature
/// standardisation, the scorer's parameters and the calibration quantiles of its scores.
///
/// File layout (little-endian): `SYROUTE1`, u32 header length, header JSON, u32 vocabulary
/// length, the vocabulary (newline-joined), the table `[vocabulary × dims]` as int8, then one
/// float32 scale per row (a row is `int8 × scale`: one 64-byte cache line per token).
public struct LearnedRouterModel: Sendable {
    public let dims: Int
    public let maxTokens: Int
    public let tokenizer: WordPieceTokenizer
    /// Row `i` (token id `i`) is `table[i*dims ..< (i+1)*dims] × scales[i]`.
    let table: [Int8]
    let scales: [Float]
    let scalarMean: [Double]
    let scalarStd: [Double]
    /// The scorer: prototypes when the file has them, else logistic regression.
    let prototypes: PrototypeScorer?
    let logistic: LogisticScorer?
    /// Score quantiles at 0%, 1%, …, 100% on the build's data (for `strong_share` calibration).
    public let calibrationQuantiles: [Double]
    /// The build's header (data, metrics, date), for `router info`-style reporting.
    public let header: JSONValue

    /// Why a weights file cannot be used.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The model that ships with Switchyard (trained on RouteLLM's MMLU data), read once per
    /// process: every router and the semantic cache's embedder share it (it is immutable).
    public static func bundled() throws -> LearnedRouterModel {
        try bundledModel.get()
    }

    private static let bundledModel = Result<LearnedRouterModel, any Error> { try LearnedRouterModel(bytes: try bundledBytes()) }

    /// The bytes of the shipped weights file.
    public static func bundledBytes() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "router-mmlu", withExtension: "syr") else {
            throw LoadError(description: "the bundled router weights are missing from the SwitchyardRouting resources")
        }
        return Array(try Data(contentsOf: url))
    }

    public init(contentsOf url: URL) throws {
        try self.init(bytes: Array(try Data(contentsOf: url)))
    }

    public init(bytes: [UInt8]) throws {
        var offset = 0
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard offset + count <= bytes.count else { throw LoadError(description: "the weights file is truncated") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func uint32() throws -> Int {
            let raw = try take(4)
            return raw.reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        guard try take(8).elementsEqual("SYROUTE1".utf8) else { throw LoadError(description: "not a Switchyard router weights file") }
        let header: JSONValue
        do {
            header = try JSONValue.parse(try take(try uint32()))
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(description: "the weights file header is not valid JSON")
        }
        let vocabulary = String(decoding: try take(try uint32()), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let dims = header["dims"]?.intValue, dims > 0, header["vocab_size"]?.intValue == vocabulary.count else {
            throw LoadError(description: "the weights file header does not match its vocabulary")
        }
        guard header["format"]?.intValue == 2 else { throw LoadError(description: "unsupported weights format (expected 2: int8 rows)") }
        let table = try take(vocabulary.count * dims).map { Int8(bitPattern: $0) }
        let scaleBytes = try take(vocabulary.count * 4)
        var scales = [Float](repeating: 0, count: vocabulary.count)
        for row in 0..<vocabulary.count {
            let base = scaleBytes.startIndex + row * 4
            let bits = UInt32(scaleBytes[base]) | UInt32(scaleBytes[base + 1]) << 8 | UInt32(scaleBytes[base + 2]) << 16 | UInt32(scaleBytes[base + 3]) << 24
            scales[row] = Float(bitPattern: bits)
        }
        func doubles(_ key: String) -> [Double] { header[key]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        self.dims = dims
        self.maxTokens = header["max_tokens"]?.intValue ?? 2048
        self.tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
        self.table = table
        self.scales = scales
        self.scalarMean = doubles("scalar_mean")
        self.scalarStd = doubles("scalar_std").map { $0 == 0 ? 1 : $0 }
        self.calibrationQuantiles = doubles("calibration_quantiles")
        self.header = header
        guard scalarMean.count == RequestFeatures.scalarCount, scalarStd.count == RequestFeatures.scalarCount else {
            throw LoadError(description: "the weights file has \(scalarMean.count) scalar features, expected \(RequestFeatures.scalarCount)")
        }
        if let prototypes = header["prototypes"] {
            let centres = prototypes["centres"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            let labels = prototypes["labels"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            let counts = prototypes["counts"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            guard !labels.isEmpty, centres.count == labels.count * dims, counts.count == labels.count else {
                throw LoadError(description: "the weights file's prototypes are inconsistent")
            }
            self.prototypes = PrototypeScorer(
                centres: centres.map(Float.init), labels: labels, counts: counts, neighbours: prototypes["neighbours"]?.intValue ?? 8,
                sharpness: prototypes["sharpness"]?.doubleValue ?? 10, dims: dims)
            self.logistic = nil
        } else {
            let weights = doubles("weights")
            guard weights.count == dims + RequestFeatures.scalarCount, let bias = header["bias"]?.doubleValue else {
                throw LoadError(description: "the weights file has \(weights.count) weights, expected \(dims + RequestFeatures.scalarCount)")
            }
            self.logistic = LogisticScorer(bias: bias, weights: weights)
            self.prototypes = nil
        }
    }

    /// P(strong needed) for a request.
    public func score(_ features: RequestFeatures) -> Double {
        evaluate(features).score
    }

    /// Prompts longer than this many UTF-8 bytes are scored on their end only (the last
    /// `maxTokens` tokens always fit in it: WordPiece words are at most 100 characters), so a
    /// huge prompt costs no more than a long one.
    static let maxScoredBytes = 1 << 20

    /// P(strong needed) and the pooled embedding it came from (kept for feedback training).
    public func evaluate(_ features: RequestFeatures) -> (score: Double, embedding: [Double]) {
        var text = features.text
        if text.utf8.count > LearnedRouterModel.maxScoredBytes {
            var start = text.utf8.index(text.utf8.endIndex, offsetBy: -LearnedRouterModel.maxScoredBytes)
            while start < text.utf8.endIndex && text.utf8[start] & 0xC0 == 0x80 { text.utf8.formIndex(after: &start) }
            text = String(text.utf8[start...]) ?? text
        }
        let ids = tokenizer.encode(text)
        let pooled = pool(ids.suffix(maxTokens))
        if let prototypes { return (prototypes.score(pooled), pooled) }  // prototypes use the embedding only
        var scoredFeatures = features
        scoredFeatures.text = text
        return (logistic?.score(pooled: pooled, scalars: scoredFeatures.scalars(tokenCount: ids.count), mean: scalarMean, std: scalarStd) ?? 0.5, pooled)
    }

    /// `sum += rows[offset..<offset+count] × scale` (an element-wise loop LLVM vectorises; the
    /// generic SIMD integer-to-float initialisers are not specialised and go through witness tables).
    @inline(__always)
    static func accumulate(_ rows: UnsafeBufferPointer<Int8>, from offset: Int, scale: Float, into sum: UnsafeMutableBufferPointer<Float>, count: Int) {
        guard let rowBase = rows.baseAddress, let sumBase = sum.baseAddress else { return }
        let row = rowBase + offset
        for index in 0..<count { sumBase[index] += Float(row[index]) * scale }
    }

    /// Mean of the tokens' rows, L2-normalised (zero for an empty prompt). Summed in Float
    /// (vectorised), normalised in Double.
    func pool(_ ids: ArraySlice<Int32>) -> [Double] {
        var sum = [Float](repeating: 0, count: dims)
        guard !ids.isEmpty else { return [Double](repeating: 0, count: dims) }
        let dims = self.dims
        table.withUnsafeBufferPointer { rows in
            scales.withUnsafeBufferPointer { scales in
                sum.withUnsafeMutableBufferPointer { sum in
                    ids.withUnsafeBufferPointer { ids in
                        for position in 0..<ids.count {
                            let id = Int(ids[position])
                            guard id >= 0, id < scales.count else { continue }
                            LearnedRouterModel.accumulate(rows, from: id * dims, scale: scales[id], into: sum, count: dims)
                        }
                    }
                }
            }
        }
        var mean = sum.map { Double($0) / Double(ids.count) }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for index in 0..<dims { mean[index] /= norm } }
        return mean
    }
}

/// Logistic regression over [pooled embedding, standardised scalars].
struct LogisticScorer: Sendable {
    let bias: Double
    let weights: [Double]

    func score(pooled: [Double], scalars: [Double], mean: [Double], std: [Double]) -> Double {
        var z = bias
        for index in pooled.indices { z += weights[index] * pooled[index] }
        for index in scalars.indices { z += weights[pooled.count + index] * (scalars[index] - mean[index]) / std[index] }
        return 1 / (1 + exp(-z))
    }
}

/// Scores by the label means of the nearest cluster centres, weighted by size and similarity.
struct PrototypeScorer: Sendable {
    /// The centres transposed, one row of every centre's value per dimension: a query's
    /// similarities to all centres are `dims` passes of multiply-add over whole rows, in 16 lanes,
    /// with no horizontal sum per centre (that sum was most of the scoring's time).
    private let columns: [Float]
    /// How many centres there are (the length of each row of `columns`).
    private let centreCount: Int
    var labels: [Double]
    var counts: [Double]
    let neighbours: Int
    let sharpness: Double
    let dims: Int

    /// `centres`: row-major, `dims` values per centre (as the weights file stores them).
    init(centres: [Float], labels: [Double], counts: [Double], neighbours: Int, sharpness: Double, dims: Int) {
        self.labels = labels
        self.counts = counts
        self.neighbours = neighbours
        self.sharpness = sharpness
        self.dims = dims
        let count = labels.count
        centreCount = count
        var columns = [Float](repeating: 0, count: centres.count)
        for centre in 0..<count {
            for dimension in 0..<dims { columns[dimension * count + centre] = centres[centre * dims + dimension] }
        }
        self.columns = columns
    }

    /// Centre `centre`'s value in dimension `dimension`.
    func value(centre: Int, dimension: Int) -> Float {
        columns[dimension * centreCount + centre]
    }

    /// `sums[i] += row[offset + i] * factor` for every `i` in `sums`, 16 lanes at a time.
    static func addScaled(_ row: UnsafeBufferPointer<Float>, from offset: Int, by factor: Float, into sums: UnsafeMutableBufferPointer<Float>) {
        guard let rowBase = row.baseAddress, let sumBase = sums.baseAddress else { return }
        let scale = SIMD16<Float>(repeating: factor)
        var index = 0
        while index + 16 <= sums.count {
            let x = UnsafeRawPointer(rowBase + offset + index).loadUnaligned(as: SIMD16<Float>.self)
            let sum = UnsafeMutableRawPointer(sumBase + index)
            sum.storeBytes(of: sum.loadUnaligned(as: SIMD16<Float>.self) + x * scale, as: SIMD16<Float>.self)
            index += 16
        }
        while index < sums.count {
            sums[index] += row[offset + index] * factor
            index += 1
        }
    }

    /// The similarity (dot product) of `pooled` with every centre.
    func similarities(_ pooled: [Double]) -> [Float] {
        let count = centreCount
        var sums = [Float](repeating: 0, count: count)
        sums.withUnsafeMutableBufferPointer { sums in
            columns.withUnsafeBufferPointer { columns in
                for dimension in 0..<min(dims, pooled.count) {
                    PrototypeScorer.addScaled(columns, from: dimension * count, by: Float(pooled[dimension]), into: sums)
                }
            }
        }
        return sums
    }

    func score(_ pooled: [Double]) -> Double {
        // The `neighbours` most similar centres, kept sorted (ties: the lower index first, as Python's stable sort).
        var best: [(similarity: Double, centre: Int)] = []
        best.reserveCapacity(neighbours + 1)
        for (centre, similarity) in similarities(pooled).enumerated() {
            let dot = Double(similarity)
            if best.count == neighbours, let last = best.last, dot <= last.similarity { continue }
            let position = best.firstIndex { dot > $0.similarity } ?? best.count
            best.insert((dot, centre), at: position)
            if best.count > neighbours { best.removeLast() }
        }
        var weighted = 0.0
        var total = 0.0
        for (similarity, centre) in best {
            let weight = counts[centre] * exp(sharpness * similarity)
            weighted += labels[centre] * weight
            total += weight
        }
        return total > 0 ? weighted / total : 0.5
    }
}
