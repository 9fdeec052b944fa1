public import SwitchyardCore

/// Reads retry hints from response headers: `retry-after-ms`, `x-ms-retry-after-ms`, `retry-after`.
public enum RetryAfter {
    public static func seconds(from headers: HeaderList) -> Double? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let value = headers[name].flatMap(Double.init), value >= 0 { return value / 1000 }
        }
        if let value = headers["retry-after"].flatMap(Double.init), value >= 0 { return value }
        return nil
    }
}
