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

    /// The largest amount an admin may set or add in one step (one billion USD): balances stay
    /// far from `Int64`'s range, so every sum the store and the gateway compute is exact.
    public static let maxAdminAmount = Money(nanos: 1_000_000_000 * 1_000_000_000)
    /// The largest balance a key may hold (four billion USD); top-ups past it are refused.
    public static let maxBalance = Money(nanos: 4 * 1_000_000_000 * 1_000_000_000)

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
        let (magnitude, sumOverflow) = scaled.addingReportingOverflow(fraction)
        guard !sumOverflow else { return nil }
        nanos = negative ? -magnitude : magnitude
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
    /// Saturating: an amount never wraps around (a sum past `Int64.max` stays at the bound).
    public static func + (lhs: Money, rhs: Money) -> Money { Money(nanos: Money.saturating(lhs.nanos.addingReportingOverflow(rhs.nanos), lhs.nanos, rhs.nanos)) }
    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(nanos: Money.saturating(lhs.nanos.subtractingReportingOverflow(rhs.nanos), lhs.nanos, rhs.nanos == .min ? 1 : -rhs.nanos))
    }

    /// Whether an amount an admin sets (credits, budgets) or adds (top-ups, which may be
    /// negative) is within `maxAdminAmount`.
    public func isAdminAmount(allowNegative: Bool) -> Bool {
        nanos <= Money.maxAdminAmount.nanos && nanos >= (allowNegative ? -Money.maxAdminAmount.nanos : 0)
    }

    /// The exact sum, or nil where it would leave `Int64`'s range.
    public func adding(_ other: Money) -> Money? {
        let (sum, overflow) = nanos.addingReportingOverflow(other.nanos)
        return overflow ? nil : Money(nanos: sum)
    }

    private static func saturating(_ result: (partialValue: Int64, overflow: Bool), _ lhs: Int64, _ direction: Int64) -> Int64 {
        guard result.overflow else { return result.partialValue }
        return direction > 0 || (direction == 0 && lhs > 0) ? .max : .min
    }

    private static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}

/// Encoded as its integer nanodollars (journal files); never through floating point.
extension Money: Codable {
    public init(from decoder: any Decoder) throws {
        nanos = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanos)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

