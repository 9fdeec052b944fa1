/// An exponentially weighted moving average; `nil` until the first sample.
public struct Ewma: Sendable, Equatable {
    public let alpha: Double
    public private(set) var value: Double?

    public init(alpha: Double = 0.2) {
        self.alpha = alpha
    }

    public mutating func add(_ sample: Double) {
        value = value.map { $0 + alpha * (sample - $0) } ?? sample
    }
}
