import Foundation
import SwitchyardCore

extension RequestFeatures {
    static let scalarCount = 6
    static let codeCharacters: Set<Unicode.Scalar> = Set("{}[]();=<>#$_`\\|".unicodeScalars)
    static let mathCharacters: Set<Unicode.Scalar> = Set("0123456789+-*/^%=∑∫√π".unicodeScalars)

    /// log(1 + tokens), code-character density, math-character density, log(1 + turns), tools,
    /// images — as `tools/router/features.py` computes them.
    func scalars(tokenCount: Int) -> [Double] {
        var characters = 0
        var code = 0
        var math = 0
        for scalar in text.unicodeScalars {
            characters += 1
            if RequestFeatures.codeCharacters.contains(scalar) { code += 1 }
            if RequestFeatures.mathCharacters.contains(scalar) { math += 1 }
        }
        let length = Double(max(1, characters))
        return [
            log1p(Double(tokenCount)), Double(code) / length, Double(math) / length, log1p(Double(turns)), hasTools ? 1 : 0, hasImages ? 1 : 0,
        ]
    }
}
