import Foundation
public import SwitchyardCore

/// The learned router's model as `tools/router/build.py` writes it: a WordPiece vocabulary, a
/// static token-embedding table (float16, frequency-weighted and PCA-projected), scalar-feature
/// standardisation, the scorer's parameters and the calibration quantiles of its scores.
///
/// File layout (little-endian): `SYROUTE1`, u32 header length, header JSON, u32 vocabulary
/// length, the vocabulary (newline-joined), then the table `[vocabulary × dims]` as float16.
public struct LearnedRouterModel: Sendable {
    public let dims: Int
    public let maxTokens: Int
    public let tokenizer: WordPieceTokenizer
    /// Row `i` (token id `i`) is `table[i*dims ..< (i+1)*dims]`.
    let table: [Float16]
    let scalarMean: [Double]
    let scalarStd: [Double]
    let scorer: Scorer
    /// Score quantiles at 0%, 1%, …, 100% on the build's data (for `strong_share` calibration).
    public let calibrationQuantiles: [Double]
    /// The build's header (data, metrics, date), for `router info`-style reporting.
    public let header: JSONValue

    /// How pooled features become a probability.
    enum Scorer: Sendable {
        /// Logistic regression over [pooled embedding, standardised scalars].
        case logistic(bias: Double, weights: [Double])
        /// Nearest prototypes: cluster centres with their label means and sizes.
        case prototypes(centres: [Float], labels: [Double], counts: [Double], neighbours: Int, sharpness: Double, dims: Int)
    }

    /// Why a weights file cannot be used.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The model that ships with Switchyard (trained on RouteLLM's MMLU data).
    public static func bundled() throws -> LearnedRouterModel {
        try LearnedRouterModel(bytes: try bundledBytes())
    }

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
        let tableBytes = try take(vocabulary.count * dims * 2)
        var table = [Float16](repeating: 0, count: vocabulary.count * dims)
        table.withUnsafeMutableBytes { destination in
            tableBytes.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        func doubles(_ key: String) -> [Double] { header[key]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        self.dims = dims
        self.maxTokens = header["max_tokens"]?.intValue ?? 2048
        self.tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
        self.table = table
        self.scalarMean = doubles("scalar_mean")
        self.scalarStd = doubles("scalar_std").map { $0 == 0 ? 1 : $0 }
        self.calibrationQuantiles = doubles("calibration_quantiles")
        self.header = header
        guard scalarMean.count == RequestFeatures.scalarCount, scalarStd.count == RequestFeatures.scalarCount else {
            throw LoadError(description: "the weights file has \(scalarMean.count) scalar features, expected \(RequestFeatures.scalarCount)")
        }
        if let prototypes = header["prototypes"] {
            let centres = prototypes["centres"]?.arrayValue?.compactMap(\.doubleValue).map(Float.init) ?? []
            let labels = prototypes["labels"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            let counts = prototypes["counts"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            guard !labels.isEmpty, centres.count == labels.count * dims, counts.count == labels.count else {
                throw LoadError(description: "the weights file's prototypes are inconsistent")
            }
            scorer = .prototypes(
                centres: centres, labels: labels, counts: counts, neighbours: prototypes["neighbours"]?.intValue ?? 8,
                sharpness: prototypes["sharpness"]?.doubleValue ?? 10, dims: dims)
        } else {
            let weights = doubles("weights")
            guard weights.count == dims + RequestFeatures.scalarCount, let bias = header["bias"]?.doubleValue else {
                throw LoadError(description: "the weights file has \(weights.count) weights, expected \(dims + RequestFeatures.scalarCount)")
            }
            scorer = .logistic(bias: bias, weights: weights)
        }
    }

    /// P(strong needed) for a request.
    public func score(_ features: RequestFeatures) -> Double {
        evaluate(features).score
    }

    /// P(strong needed) and the pooled embedding it came from (kept for feedback training).
    public func evaluate(_ features: RequestFeatures) -> (score: Double, embedding: [Double]) {
        let ids = tokenizer.encode(features.text)
        let pooled = pool(ids.suffix(maxTokens))
        return (score(pooled: pooled, scalars: features.scalars(tokenCount: ids.count)), pooled)
    }

    func score(pooled: [Double], scalars: [Double]) -> Double {
        switch scorer {
        case .logistic(let bias, let weights):
            var z = bias
            for index in 0..<dims { z += weights[index] * pooled[index] }
            for index in 0..<RequestFeatures.scalarCount {
                z += weights[dims + index] * (scalars[index] - scalarMean[index]) / scalarStd[index]
            }
            return 1 / (1 + exp(-z))
        case .prototypes(let centres, let labels, let counts, let neighbours, let sharpness, let dims):
            return PrototypeScorer.score(
                pooled, centres: centres, labels: labels, counts: counts, neighbours: neighbours, sharpness: sharpness, dims: dims)
        }
    }

    /// Mean of the tokens' rows, L2-normalised (zero for an empty prompt).
    func pool(_ ids: ArraySlice<Int32>) -> [Double] {
        var sum = [Double](repeating: 0, count: dims)
        guard !ids.isEmpty else { return sum }
        table.withUnsafeBufferPointer { rows in
            for id in ids {
                let base = Int(id) * dims
                guard base + dims <= rows.count else { continue }
                for index in 0..<dims { sum[index] += Double(rows[base + index]) }
            }
        }
        var norm = 0.0
        for index in 0..<dims {
            sum[index] /= Double(ids.count)
            norm += sum[index] * sum[index]
        }
        norm = norm.squareRoot()
        if norm > 0 { for index in 0..<dims { sum[index] /= norm } }
        return sum
    }
}

/// Scores by the label means of the nearest cluster centres, weighted by size and similarity.
enum PrototypeScorer {
    static func score(
        _ pooled: [Double], centres: [Float], labels: [Double], counts: [Double], neighbours: Int, sharpness: Double, dims: Int
    ) -> Double {
        var similarities = [Double](repeating: 0, count: labels.count)
        for centre in 0..<labels.count {
            var dot = 0.0
            let base = centre * dims
            for index in 0..<dims { dot += Double(centres[base + index]) * pooled[index] }
            similarities[centre] = dot
        }
        let nearest = similarities.indices.sorted { similarities[$0] > similarities[$1] }.prefix(neighbours)
        var weighted = 0.0
        var total = 0.0
        for centre in nearest {
            let weight = counts[centre] * exp(sharpness * similarities[centre])
            weighted += labels[centre] * weight
            total += weight
        }
        return total > 0 ? weighted / total : 0.5
    }
}
