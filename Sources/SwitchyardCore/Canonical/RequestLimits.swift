/// The ranges the gateway accepts for numbers a client controls. Anything outside them is a 400
/// naming the field, before routing, reservation or forwarding.
public enum RequestLimits {
    /// The most output tokens one request may ask for (2²⁰): above every model's real maximum,
    /// far below anything that strains a reservation's arithmetic.
    public static let maxOutputTokens = 1 << 20
    /// The most answers (`n`) one request may ask for.
    public static let maxChoices = 128

    /// A 400 unless `value` is an integer in `range`.
    public static func check(_ value: Int, _ range: ClosedRange<Int>, field: String) throws(GatewayError) {
        guard range.contains(value) else {
            throw .invalidRequest("Invalid '\(field)': \(value) is out of range; it must be between \(range.lowerBound) and \(range.upperBound).", param: field)
        }
    }

    /// A 400 unless `value` is finite and in `range`.
    public static func check(_ value: Double, _ range: ClosedRange<Double>, field: String) throws(GatewayError) {
        guard value.isFinite, range.contains(value) else {
            throw .invalidRequest(
                "Invalid '\(field)': it must be a finite number between \(JSONValue.format(range.lowerBound)) and \(JSONValue.format(range.upperBound)).",
                param: field)
        }
    }
}
