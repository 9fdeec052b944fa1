import Foundation

/// BERT's uncased WordPiece tokenizer, as Hugging Face `tokenizers` runs it for
/// all-MiniLM-L6-v2: BertNormalizer (clean text, pad CJK characters, strip accents, lowercase),
/// BertPreTokenizer (split on whitespace and punctuation), then greedy longest-match WordPiece
/// with `##` continuations; a word that cannot be split is `[UNK]`.
///
/// Works on UTF-8 bytes with a byte-keyed vocabulary table: ASCII words (most text) never become
/// `String`s; only words with other characters take the Unicode path (NFD, mark stripping).
public struct WordPieceTokenizer: Sendable {
    private let vocabulary: VocabularyTable
    public let unknownID: Int32
    /// Per ASCII byte: the id of a punctuation character (`-1` when not in the vocabulary), `-2`
    /// for every other byte.
    fileprivate let punctuationIDs: [Int32]
    fileprivate let folding = CharacterFolding.shared
    static let maxCharactersPerWord = 100

    /// `vocabulary[i]` is the token with id `i`.
    public init(vocabulary: [String]) {
        let table = VocabularyTable(vocabulary)
        self.vocabulary = table
        self.unknownID = table.withView { view in Array("[UNK]".utf8).withUnsafeBufferPointer { view.lookup($0, continuation: false) } } ?? 100
        self.punctuationIDs = (0..<128).map { byte in
            guard WordPieceTokenizer.isASCIIPunctuation(UInt8(byte)) else { return -2 }
            return table.withView { view in [UInt8(byte)].withUnsafeBufferPointer { view.lookup($0, continuation: false) } } ?? -1
        }
    }

    /// The ids of `text` without special tokens.
    public func encode(_ text: String) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3)
        var text = text
        text.withUTF8 { bytes in
            vocabulary.withView { vocabulary in encode(bytes, vocabulary: vocabulary, normalized: false, into: &output) }
        }
        return output
    }

    /// Tokenizes `bytes`; `normalized` says the text went through `normalize` already (the second
    /// pass of a word that needed Foundation: normalizing can turn a symbol into punctuation,
    /// e.g. `≠` → `=`, which must then split the word as it does in Hugging Face's pipeline).
    fileprivate func encode(_ bytes: UnsafeBufferPointer<UInt8>, vocabulary: VocabularyTable.View, normalized: Bool, into output: inout [Int32]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: WordPieceTokenizer.maxCharactersPerWord) { scratch in
            punctuationIDs.withUnsafeBufferPointer { punctuation in
                var pass = EncodingPass(
                    tokenizer: self, bytes: bytes, vocabulary: vocabulary, punctuation: punctuation, scratch: scratch, alreadyNormalized: normalized)
                pass.run(into: &output)
            }
        }
    }

    /// Strips accents (NFD, drop nonspacing marks) and lowercases one word.
    static func normalize(_ word: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in word.decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            kept.append(scalar)
        }
        return String(kept).lowercased()
    }

    /// Greedy longest-match-first WordPiece of one normalized word (cuts only at character starts).
    fileprivate func appendWordPieces(
        _ word: UnsafeBufferPointer<UInt8>, characters: Int, vocabulary: VocabularyTable.View, to output: inout [Int32]
    ) {
        guard !word.isEmpty else { return }
        guard characters <= WordPieceTokenizer.maxCharactersPerWord else {
            output.append(unknownID)
            return
        }
        if let whole = vocabulary.lookup(word, continuation: false) {
            output.append(whole)
            return
        }
        let mark = output.count
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex
            var found: Int32?
            while start < end {
                if let id = vocabulary.lookup(UnsafeBufferPointer(rebasing: word[start..<end]), continuation: start > word.startIndex) {
                    found = id
                    break
                }
                end -= 1
                while end > start && word[end] & 0xC0 == 0x80 { end -= 1 }
            }
            guard let id = found else {
                output.removeSubrange(mark...)
                output.append(unknownID)
                return
            }
            output.append(id)
            start = end
        }
    }

    /// One scalar from UTF-8 at `index` and its length (nil for an invalid sequence).
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= bytes.count else { return (nil, 1) }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return (nil, offset) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (Unicode.Scalar(value), length)
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

/// The vocabulary as an open-addressing hash table over UTF-8 bytes, so lookups need no
/// `String`. A `##` continuation piece is stored without its `##` and flagged in the hash seed.
///
/// Each slot is one `UInt64`: the key's 64-bit hash with its low 15 bits replaced by the entry
/// (id + 1; 0 = empty). A lookup is a single random memory access — what made tokenizing
/// memory-bound before was three dependent ones (slot, offsets, bytes). Keys are identified by
/// 49 bits of hash plus their length (mixed into the hash): the build checks that no two
/// vocabulary entries share them, and a stranger word matching an entry by chance has odds of
/// about 2⁻⁴⁹ per probe, which only routing features would feel.
struct VocabularyTable: Sendable {
    private let slots: [UInt64]
    private let mask: Int
    static let entryBits: UInt64 = 15
    static let entryMask: UInt64 = (1 << entryBits) - 1

    init(_ vocabulary: [String]) {
        precondition(vocabulary.count < Int(VocabularyTable.entryMask), "vocabulary too large for the slot layout")
        var capacity = 1
        while capacity < vocabulary.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        var seen: [UInt64: String] = [:]
        for (index, token) in vocabulary.enumerated() {
            let utf8 = Array(token.utf8)
            let continuation = utf8.count > 2 && utf8[0] == 0x23 && utf8[1] == 0x23
            let key = continuation ? Array(utf8[2...]) : utf8
            let hash = key.withUnsafeBufferPointer { VocabularyTable.hash($0, continuation: continuation) }
            let fingerprint = hash & ~VocabularyTable.entryMask
            if let previous = seen[fingerprint] {
                if previous != token { assertionFailure("vocabulary fingerprint collision: \(previous) / \(token)") }
                continue  // an exact duplicate keeps the first id
            }
            seen[fingerprint] = token
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = fingerprint | UInt64(index + 1)
        }
        self.slots = slots
        self.mask = capacity - 1
    }

    /// A multiply-xorshift hash over 8-byte words (the tail zero-padded), seeded by the flag
    /// and the length.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>, continuation: Bool) -> UInt64 {
        var hash: UInt64 = continuation ? 0x9E37_79B9_7F4A_7C15 : 0xC2B2_AE3D_27D4_EB4F
        hash = (hash ^ UInt64(key.count)) &* 0xFF51_AFD7_ED55_8CCD
        guard let base = key.baseAddress else { return hash ^ (hash >> 29) }
        var index = 0
        while index + 8 <= key.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        if index < key.count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while index < key.count {
                word |= UInt64(key[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
        }
        return (hash &* 0xC4CE_B9FE_1A85_EC53) ^ (hash >> 29)
    }

    /// Runs `body` with unchecked access to the table (one closure per text, not per lookup).
    func withView<Result>(_ body: (View) -> Result) -> Result {
        slots.withUnsafeBufferPointer { slots in body(View(slots: slots, mask: mask)) }
    }

    /// Read access to the table for the duration of `withView`.
    struct View {
        let slots: UnsafeBufferPointer<UInt64>
        let mask: Int

        /// The id of `key` (a `##` piece when `continuation`), if it is in the vocabulary.
        @inline(__always)
        func lookup(_ key: UnsafeBufferPointer<UInt8>, continuation: Bool) -> Int32? {
            let hash = VocabularyTable.hash(key, continuation: continuation)
            let fingerprint = hash & ~VocabularyTable.entryMask
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let value = slots[slot]
                if value == 0 { return nil }
                if value & ~VocabularyTable.entryMask == fingerprint { return Int32(value & VocabularyTable.entryMask) - 1 }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// One pass of the tokenizer over a text: a state machine over its bytes (stored properties, not
/// captured variables, so the hot loop has no dynamic exclusivity checks).
///
/// An ASCII word is a range of the input, lowercased into `scratch`. A word with other characters
/// is built normalized in `folded` from the per-character table; a character the table does not
/// cover sends the word (kept raw in `raw`) through Foundation.
private struct EncodingPass {
    let tokenizer: WordPieceTokenizer
    let bytes: UnsafeBufferPointer<UInt8>
    let vocabulary: VocabularyTable.View
    let punctuation: UnsafeBufferPointer<Int32>
    let scratch: UnsafeMutableBufferPointer<UInt8>
    let alreadyNormalized: Bool
    var wordStart = -1
    var copying = false
    var needsFoundation = false
    var folded: [UInt8] = []
    var foldedCharacters = 0
    var raw: [UInt8] = []

    init(
        tokenizer: WordPieceTokenizer, bytes: UnsafeBufferPointer<UInt8>, vocabulary: VocabularyTable.View, punctuation: UnsafeBufferPointer<Int32>,
        scratch: UnsafeMutableBufferPointer<UInt8>, alreadyNormalized: Bool
    ) {
        self.tokenizer = tokenizer
        self.bytes = bytes
        self.vocabulary = vocabulary
        self.punctuation = punctuation
        self.scratch = scratch
        self.alreadyNormalized = alreadyNormalized
    }

    mutating func run(into output: inout [Int32]) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                    flush(index, into: &output)
                } else if byte < 0x20 || byte == 0x7F {
                    if wordStart >= 0 { startCopying(index) }  // control characters are dropped
                } else if punctuation[Int(byte)] != -2 {
                    flush(index, into: &output)
                    let id = punctuation[Int(byte)]
                    output.append(id < 0 ? tokenizer.unknownID : id)
                } else {
                    if wordStart < 0 { wordStart = index }
                    if copying {
                        raw.append(byte)
                        folded.append(byte >= 65 && byte <= 90 ? byte | 0x20 : byte)
                        foldedCharacters += 1
                    }
                }
                index += 1
                continue
            }
            let (scalar, length) = WordPieceTokenizer.decodeScalar(bytes, at: index)
            let rawScalar = UnsafeBufferPointer(rebasing: bytes[index..<index + length])
            defer { index += length }
            guard let scalar, scalar.value != 0xFFFD, !WordPieceTokenizer.isControl(scalar) else {
                if wordStart >= 0 { startCopying(index) }  // invalid UTF-8, U+FFFD and controls are dropped
                continue
            }
            if scalar.properties.isWhitespace {
                flush(index, into: &output)
            } else if WordPieceTokenizer.isChineseCharacter(scalar.value) || WordPieceTokenizer.isPunctuation(scalar) {
                flush(index, into: &output)
                if !alreadyNormalized, let normalized = tokenizer.folding.normalized(scalar) {
                    if !normalized.bytes.isEmpty {
                        normalized.bytes.withUnsafeBufferPointer {
                            tokenizer.appendWordPieces($0, characters: normalized.characters, vocabulary: vocabulary, to: &output)
                        }
                    }
                } else {
                    let text = alreadyNormalized ? String(scalar) : WordPieceTokenizer.normalize(String(scalar))
                    if !text.isEmpty {
                        Array(text.utf8).withUnsafeBufferPointer {
                            tokenizer.appendWordPieces($0, characters: text.unicodeScalars.count, vocabulary: vocabulary, to: &output)
                        }
                    }
                }
            } else if alreadyNormalized {
                startCopying(index)
                if wordStart < 0 { wordStart = index }
                folded.append(contentsOf: rawScalar)
                foldedCharacters += 1
            } else if let normalized = tokenizer.folding.normalized(scalar) {
                if normalized.splits {
                    // Normalizing made punctuation or whitespace of it: tokenize its folded form on its own.
                    flush(index, into: &output)
                    normalized.bytes.withUnsafeBufferPointer { tokenizer.encode($0, vocabulary: vocabulary, normalized: true, into: &output) }
                } else {
                    startCopying(index)
                    if wordStart < 0 { wordStart = index }
                    raw.append(contentsOf: rawScalar)
                    folded.append(contentsOf: normalized.bytes)
                    foldedCharacters += normalized.characters
                }
            } else {
                startCopying(index)
                if wordStart < 0 { wordStart = index }
                raw.append(contentsOf: rawScalar)
                needsFoundation = true
            }
        }
        flush(bytes.count, into: &output)
    }

    /// Ends the current word at `end` and appends its pieces.
    mutating func flush(_ end: Int, into output: inout [Int32]) {
        guard wordStart >= 0 else { return }
        defer {
            wordStart = -1
            copying = false
            needsFoundation = false
            folded.removeAll(keepingCapacity: true)
            raw.removeAll(keepingCapacity: true)
            foldedCharacters = 0
        }
        if needsFoundation {
            let normalized = WordPieceTokenizer.normalize(String(decoding: raw, as: UTF8.self))
            Array(normalized.utf8).withUnsafeBufferPointer { tokenizer.encode($0, vocabulary: vocabulary, normalized: true, into: &output) }
        } else if copying {
            guard foldedCharacters > 0 else { return }
            folded.withUnsafeBufferPointer { tokenizer.appendWordPieces($0, characters: foldedCharacters, vocabulary: vocabulary, to: &output) }
        } else {
            let length = end - wordStart
            guard length <= WordPieceTokenizer.maxCharactersPerWord else {
                output.append(tokenizer.unknownID)
                return
            }
            for offset in 0..<length {
                let byte = bytes[wordStart + offset]
                scratch[offset] = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
            }
            tokenizer.appendWordPieces(UnsafeBufferPointer(rebasing: scratch[0..<length]), characters: length, vocabulary: vocabulary, to: &output)
        }
    }

    /// Switches the current word to copying (its ASCII part so far, lowercased).
    mutating func startCopying(_ upTo: Int) {
        guard !copying else { return }
        copying = true
        guard wordStart >= 0 else { return }
        for byte in bytes[wordStart..<upTo] {
            raw.append(byte)
            folded.append(byte >= 65 && byte <= 90 ? byte | 0x20 : byte)
        }
        foldedCharacters = upTo - wordStart
    }
}

/// Accent stripping and lowercasing per character for U+0080 ..< U+3400 (Latin, Greek, Cyrillic,
/// general punctuation, symbols, kana), computed once with Foundation, so common non-ASCII text
/// needs no `String` work per word. Capital sigma is left out: its lowercase depends on its
/// position in the word (final ς), which only the word-level path gets right.
struct CharacterFolding: Sendable {
    static let shared = CharacterFolding()
    static let range: Range<UInt32> = 0x80..<0x3400

    /// Normalized UTF-8, its character count, and whether it holds punctuation or whitespace
    /// (then it splits words), per scalar (nil: not covered).
    private let table: [(bytes: [UInt8], characters: Int, splits: Bool)?]

    init() {
        table = CharacterFolding.range.map { value in
            guard value != 0x3A3, let scalar = Unicode.Scalar(value) else { return nil }
            let normalized = WordPieceTokenizer.normalize(String(scalar))
            let splits = normalized.unicodeScalars.contains { folded in
                folded.properties.isWhitespace || WordPieceTokenizer.isPunctuation(folded)
                    || (folded.isASCII && WordPieceTokenizer.isASCIIPunctuation(UInt8(folded.value)))
            }
            return (Array(normalized.utf8), normalized.unicodeScalars.count, splits)
        }
    }

    func normalized(_ scalar: Unicode.Scalar) -> (bytes: [UInt8], characters: Int, splits: Bool)? {
        guard CharacterFolding.range.contains(scalar.value) else { return nil }
        return table[Int(scalar.value - CharacterFolding.range.lowerBound)]
    }
}
