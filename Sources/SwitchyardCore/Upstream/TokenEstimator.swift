/// A cheap token-count estimate for text when an upstream reports no usage
/// (about four bytes of English per token, the usual BPE average).
public enum TokenEstimator {
    public static func estimate(byteCount: Int) -> Int {
        byteCount == 0 ? 0 : max(1, (byteCount + 3) / 4)
    }
}
