/// A cheap token-count estimate for text when an upstream reports no usage
/// (about four bytes of English per token, the usual BPE average).
public enum TokenEstimator {
    public static func estimate(byteCount: Int) -> Int {
        byteCount == 0 ? 0 : max(1, (byteCount + 3) / 4)
    }
}

extension TokenEstimator {
    /// The usage to meter when the upstream reported none: estimates from the prompt's and the
    /// answer's byte counts, marked as estimated.
    public static func usage(promptBytes: Int, completionBytes: Int) -> Usage {
        Usage(promptTokens: estimate(byteCount: promptBytes), completionTokens: estimate(byteCount: completionBytes), isEstimated: true)
    }
}
