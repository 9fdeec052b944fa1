import Foundation

/// Expands `${NAME}` and `${NAME:-default}` in configuration strings.
public struct EnvironmentInterpolation: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The expanded text, or the name of the first variable that is unset and has no default.
    public func expand(_ text: String) -> Result<String, MissingVariable> {
        guard text.contains("${") else { return .success(text) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                return .success(output)
            }
            let expression = rest[start.upperBound..<end]
            let name: Substring
            var fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
            }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(MissingVariable(name: String(name)))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success(output)
    }

    /// An environment variable that a config value needs but that is not set.
    public struct MissingVariable: Error, Sendable, Equatable {
        public let name: String
    }
}
