import SwitchyardCore
import SwitchyardRouting

/// The shipped router's WordPiece tokenizer and scorer on arbitrary text (valid UTF-8 or not):
/// ids within the vocabulary, a score in 0…1.
let model = try? LearnedRouterModel.bundled()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWordPiece(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let model else { fatalError("the bundled router model did not load") }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let ids = model.tokenizer.encode(text)
    precondition(ids.allSatisfy { $0 >= 0 })
    let score = model.score(RequestFeatures(text: text))
    precondition(score.isFinite && score >= 0 && score <= 1, "score \(score)")
    return 0
}
