public import SwitchyardCore

/// Classifies Gemini errors (`google.rpc.Status` JSON; retry hint in `RetryInfo.retryDelay`, PROTOCOLS §3.6).
public enum GeminiErrorClassifier {
    public static func classify(provider: String, status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        let error = (try? JSONValue.parse(body))?["error"]
        var codes = [error?["status"]?.stringValue].compactMap { $0 }
        var retryAfter = RetryAfter.seconds(from: headers)
        for detail in error?["details"]?.arrayValue ?? [] {
            if let reason = detail["reason"]?.stringValue { codes.append(reason) }
            if let delay = detail["retryDelay"]?.stringValue, delay.hasSuffix("s"), let seconds = Double(delay.dropLast()) {
                retryAfter = seconds
            }
        }
        return UpstreamErrorClassifier.classify(
            provider: provider, status: status, message: error?["message"]?.stringValue, codes: codes, retryAfter: retryAfter)
    }
}
