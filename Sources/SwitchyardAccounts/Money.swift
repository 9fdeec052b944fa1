import SwitchyardCore

/// An exact amount of US dollars, in nanodollars (10⁻⁹ USD) — no floating point anywhere money
/// is stored or compared. Parsed from and written as decimal strings (`"10.00"`).
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanos: Int64
    static let scale: Int64 = 1_000_000_000

    public init(nanos: Int64) {
        self.nanos = nanos
    }

    public static let zero = Money(nanos: 0)

    /// Parses `"10"`, `"10.5"`, `"-0.000000001"`; nil for anything else or more than 9 decimals.
    public init?(decimal text: String) {
        var digits = Substring(text.trimmingSpaces())
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty || parts.count == 2,
            whole.allSatisfy(\.isASCIIDigit), let units = Int64(whole.isEmpty ? "0" : String(whole))
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let text = parts[1]
            guard !text.isEmpty, text.count <= 9, text.allSatisfy(\.isASCIIDigit), let value = Int64(text) else { return nil }
            fraction = value * Int64(Money.pow10(9 - text.count))
        }
        let (scaled, overflow) = units.multipliedReportingOverflow(by: Money.scale)
        guard !overflow else { return nil }
        nanos = (negative ? -1 : 1) * (scaled + fraction)
    }

    /// At least two decimals, up to nine, without trailing zeros beyond two (`"10.00"`, `"0.000885"`).
    public var description: String {
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        var fraction = String(magnitude % UInt64(Money.scale))
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(magnitude / UInt64(Money.scale)).\(fraction)"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanos < rhs.nanos }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(nanos: lhs.nanos &+ rhs.nanos) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(nanos: lhs.nanos &- rhs.nanos) }

    private static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

