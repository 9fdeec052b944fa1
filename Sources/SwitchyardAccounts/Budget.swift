import Foundation

/// A spending cap that resets every period (UTC), on top of or instead of prepaid credits.
public struct Budget: Sendable, Equatable {
    public enum Period: String, Sendable, CaseIterable { case daily, weekly, monthly }

    public var amount: Money
    public var period: Period

    public init(amount: Money, period: Period) {
        self.amount = amount
        self.period = period
    }

    /// When the period containing `time` began (seconds since 1970, UTC; weeks start on Monday).
    public func periodStart(containing time: Int64) -> Int64 {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let component: Calendar.Component = switch period {
        case .daily: .day
        case .weekly: .weekOfYear
        case .monthly: .month
        }
        return Int64(calendar.dateInterval(of: component, for: date)?.start.timeIntervalSince1970 ?? TimeInterval(time))
    }
}
