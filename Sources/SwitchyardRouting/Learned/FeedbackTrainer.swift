public import SwitchyardCore
public import SwitchyardAccounts

/// Refits a prototype-scorer model on callers' feedback (`POST /v1/feedback`): each labelled
/// request joins its nearest prototype, whose label mean becomes the weighted mean of the
/// shipped examples (their count) and the feedback labels (`weight` each). Always starts from
/// the base weights, so retraining with all feedback is idempotent.
public enum FeedbackTrainer {
    /// What a retraining did.
    public struct Report: Sendable, Equatable {
        public var feedbackRows: Int
        public var usedRows: Int
        public var prototypesChanged: Int
    }

    /// Why a weights file cannot be retrained.
    public struct TrainingError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The label a feedback row gives P(strong needed): a preferred model says it outright; a
    /// weak answer judged bad says strong was needed (good: it was not). A strong answer's
    /// verdict says nothing about whether weak would have done, so it is not used.
    public static func label(_ feedback: RouteFeedback, weak: String, strong: String) -> Double? {
        if let preferred = feedback.preferredModel {
            if preferred == strong { return 1 }
            if preferred == weak { return 0 }
            return nil
        }
        return feedback.label == "weak" ? 1 - feedback.outcome : nil
    }

    /// The weights file `base` with its prototypes refitted on `feedback`.
    public static func retrain(
        base: [UInt8], model: LearnedRouterModel, feedback: [RouteFeedback], weak: String, strong: String, weight: Double, date: String
    ) throws -> (file: [UInt8], report: Report) {
        guard let scorer = model.prototypes else {
            throw TrainingError(description: "this weights file uses a logistic scorer; feedback training refits prototype models")
        }
        let dims = scorer.dims
        var labels = scorer.labels
        var counts = scorer.counts
        var used = 0
        var sums = [Double](repeating: 0, count: labels.count)
        var added = [Double](repeating: 0, count: labels.count)
        for row in feedback {
            guard let embedding = row.embedding, embedding.count == dims, let y = label(row, weak: weak, strong: strong) else { continue }
            var best = 0
            var bestSimilarity = -Double.infinity
            for centre in 0..<labels.count {
                var dot = 0.0
                for index in 0..<dims { dot += Double(scorer.value(centre: centre, dimension: index)) * Double(embedding[index]) }
                if dot > bestSimilarity { bestSimilarity = dot; best = centre }
            }
            sums[best] += y * weight
            added[best] += weight
            used += 1
        }
        var changed = 0
        for centre in labels.indices where added[centre] > 0 {
            labels[centre] = (labels[centre] * counts[centre] + sums[centre]) / (counts[centre] + added[centre])
            counts[centre] += added[centre]
            changed += 1
        }
        guard case .object(var fields) = model.header, let index = fields.firstIndex(where: { $0.key == "prototypes" }),
            case .object(var prototype) = fields[index].value
        else { throw TrainingError(description: "the weights file header has no prototypes") }
        for (key, values) in [("labels", labels), ("counts", counts)] {
            if let slot = prototype.firstIndex(where: { $0.key == key }) { prototype[slot].value = .array(values.map(JSONValue.double)) }
        }
        fields[index].value = .object(prototype)
        fields.removeAll { $0.key == "retrained" }
        fields.append(.init("retrained", .record([
            "date": .string(date), "feedback_rows": .int(feedback.count), "used_rows": .int(used), "weight": .double(weight),
        ])))
        let report = Report(feedbackRows: feedback.count, usedRows: used, prototypesChanged: changed)
        return (try LearnedRouterModel.replacingHeader(in: base, with: .object(fields)), report)
    }
}

extension LearnedRouterModel {
    /// `bytes` (a weights file) with its header replaced.
    public static func replacingHeader(in bytes: [UInt8], with header: JSONValue) throws -> [UInt8] {
        guard bytes.count >= 12, bytes.prefix(8).elementsEqual("SYROUTE1".utf8) else {
            throw LoadError(description: "not a Switchyard router weights file")
        }
        let length = bytes[8..<12].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard 12 + length <= bytes.count else { throw LoadError(description: "the weights file is truncated") }
        let encoded = header.serialized
        let count = UInt32(encoded.count)
        let lengthBytes = [UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24)]
        return Array(bytes.prefix(8)) + lengthBytes + encoded + Array(bytes[(12 + length)...])
    }
}
