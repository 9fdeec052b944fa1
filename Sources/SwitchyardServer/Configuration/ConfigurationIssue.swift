/// One problem found in a configuration file, with the path of the field it is about.
public struct ConfigurationIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// e.g. `models[2].targets[0].provider`
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem of a configuration that cannot be used.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigurationIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
