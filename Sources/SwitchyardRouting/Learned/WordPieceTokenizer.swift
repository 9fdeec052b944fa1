import Foundation

/// BERT's uncased WordPiece tokenizer, as Hugging Face `tokenizers` runs it for
/// all-MiniLM-L6-v2: BertNormalizer (clean text, pad CJK characters, strip accents, lowercase),
/// BertPreTokenizer (split on whitespace and punctuation), then greedy longest-match WordPiece
/// with `##` continuations; a word that cannot be split is `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    private let ids: [String: Int32]
    public let unknownID: Int32
    static let maxCharactersPerWord = 100

    /// `vocabulary[i]` is the token with id `i`.
    public init(vocabulary: [String]) {
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (index, token) in vocabulary.enumerated() where ids[token] == nil { ids[token] = Int32(index) }
        self.ids = ids
        self.unknownID = ids["[UNK]"] ?? 100
    }

    /// The ids of `text` without special tokens.
    public func encode(_ text: String) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 4)
        var word = String.UnicodeScalarView()
        var wordIsASCII = true
        func flush() {
            guard !word.isEmpty else { return }
            appendWordPieces(normalize(String(word), isASCII: wordIsASCII), to: &output)
            word = String.UnicodeScalarView()
            wordIsASCII = true
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                    flush()
                } else if byte < 0x20 || byte == 0x7F {
                    continue  // control characters are dropped
                } else if WordPieceTokenizer.isASCIIPunctuation(byte) {
                    flush()
                    appendWordPieces(String(scalar), to: &output)
                } else {
                    word.append(scalar)
                }
                continue
            }
            if value == 0xFFFD || WordPieceTokenizer.isControl(scalar) { continue }
            if scalar.properties.isWhitespace {
                flush()
            } else if WordPieceTokenizer.isChineseCharacter(value) || WordPieceTokenizer.isPunctuation(scalar) {
                flush()
                let piece = normalize(String(scalar), isASCII: false)
                if !piece.isEmpty { appendWordPieces(piece, to: &output) }
            } else {
                word.append(scalar)
                wordIsASCII = false
            }
        }
        flush()
        return output
    }

    /// Strips accents (NFD, drop nonspacing marks) and lowercases one word.
    private func normalize(_ word: String, isASCII: Bool) -> String {
        if isASCII { return word.lowercased() }
        var kept = String.UnicodeScalarView()
        for scalar in word.decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            kept.append(scalar)
        }
        return String(kept).lowercased()
    }

    /// Greedy longest-match-first WordPiece of one normalized word.
    private func appendWordPieces(_ word: String, to output: inout [Int32]) {
        let scalars = Array(word.unicodeScalars)
        guard !scalars.isEmpty else { return }
        guard scalars.count <= WordPieceTokenizer.maxCharactersPerWord else {
            output.append(unknownID)
            return
        }
        if let whole = ids[word] {
            output.append(whole)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: scalars[start..<end])
                if let id = ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                output.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        output.append(contentsOf: pieces)
    }

    // MARK: - Character classes (as the Rust tokenizers crate defines them)

    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (33...47).contains(byte) || (58...64).contains(byte) || (91...96).contains(byte) || (123...126).contains(byte)
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            true
        default:
            false
        }
    }

    /// Rust's `char::is_other`: Cc, Cf, Cs, Co, Cn.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    static func isChineseCharacter(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}
