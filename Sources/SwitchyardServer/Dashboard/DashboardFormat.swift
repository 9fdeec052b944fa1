import Foundation
import SwitchyardRouting
import SwitchyardAccounts
import SwitchyardCore

/// How the dashboard writes numbers, money and times.
enum DashboardFormat {
    /// `$12.34`; amounts under a cent keep their significant digits (`$0.000885`).
    static func money(_ amount: Money) -> String {
        let text = amount.description
        return text.hasPrefix("-") ? "-$" + text.dropFirst() : "$" + text
    }

    static func dollars(_ amount: Money) -> Double { Double(amount.nanos) / 1e9 }

    /// `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        return String(format: "%.1f%%", fraction * 100)
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return value >= 100 ? String(format: "%.0f ms", value) : String(format: "%.1f ms", value)
    }

    /// `2026-11-30 16:46:56` UTC.
    static func time(_ seconds: Int64) -> String {
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - day * 86_400
        return CivilDate(daysSince1970: day).iso8601
            + String(format: " %02d:%02d:%02d", Int(rest / 3600), Int(rest % 3600 / 60), Int(rest % 60))
    }

    /// The start (UTC midnight) of the day containing `seconds`.
    static func dayStart(_ seconds: Int64) -> Int64 {
        seconds - ((seconds % 86_400) + 86_400) % 86_400
    }
}
