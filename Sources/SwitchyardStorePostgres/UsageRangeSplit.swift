/// How a usage query over `from..<to` reads the ledger at scale: whole days from the daily
/// rollups, whole hours at the edges from the hourly rollups, and only the partial hours at the
/// very edges from raw ledger rows. Pure, so every boundary case is tested without a database.
/// Rollups are kept current as rows are written, so an open end (`to` nil) needs no raw edge.
struct UsageRangeSplit: Equatable {
    var days: Range<Int64>
    var hours: [Range<Int64>]
    var raw: [Range<Int64>]

    static let hour: Int64 = 3600
    static let day: Int64 = 86_400
    /// Ledger times are seconds since 1970: open or absurd ends are clamped to this span.
    static let latest: Int64 = 100_000_000_000

    init(days: Range<Int64>, hours: [Range<Int64>], raw: [Range<Int64>]) {
        self.days = days
        self.hours = hours
        self.raw = raw
    }

    init(from: Int64?, to: Int64?) {
        let lower = min(max(from ?? 0, 0), Self.latest)
        let upper = max(min(to ?? Self.latest, Self.latest), lower)
        let openEnd = to == nil || upper == Self.latest
        // An open end is a whole unit: the rollups hold everything after their start.
        func down(_ time: Int64, _ unit: Int64) -> Int64 { openEnd && time == upper ? time : time - time % unit }
        func up(_ time: Int64, _ unit: Int64) -> Int64 { (time + unit - 1) / unit * unit }

        let firstHour = up(lower, Self.hour)
        let lastHour = down(upper, Self.hour)
        guard firstHour < lastHour else {
            days = 0..<0
            hours = []
            raw = [lower..<upper].filter { !$0.isEmpty }
            return
        }
        raw = [lower..<firstHour, lastHour..<upper].filter { !$0.isEmpty }
        let firstDay = up(firstHour, Self.day)
        let lastDay = down(lastHour, Self.day)
        if firstDay < lastDay {
            days = firstDay..<lastDay
            hours = [firstHour..<firstDay, lastDay..<lastHour].filter { !$0.isEmpty }
        } else {
            days = 0..<0
            hours = [firstHour..<lastHour]
        }
    }
}
