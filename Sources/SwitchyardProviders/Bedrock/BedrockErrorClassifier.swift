public import SwitchyardCore

/// Classifies Bedrock errors: the code comes from `x-amzn-ErrorType` (before the `:`), else the
/// body's `code`/`__type`; the message from the body (PROTOCOLS §4.6).
public enum BedrockErrorClassifier {
    public static func classify(provider: String, status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        let json = try? JSONValue.parse(body)
        let raw = headers["x-amzn-errortype"] ?? json?["code"]?.stringValue ?? json?["__type"]?.stringValue ?? ""
        let code = String(raw.split(separator: ":").first ?? "").split(separator: "#").last.map(String.init) ?? ""
        return classify(provider: provider, status: status, code: code, message: json?["message"]?.stringValue ?? json?["Message"]?.stringValue)
    }

    static func classify(provider: String, status: Int, code: String, message: String?) -> GatewayError {
        // A quota error is a 400 on Bedrock, but retrying elsewhere is what helps.
        let effectiveStatus = code.lowercased() == "servicequotaexceededexception" ? 429 : status
        return UpstreamErrorClassifier.classify(provider: provider, status: effectiveStatus, message: message, codes: [code], retryAfter: nil)
    }

    /// The status of a modelled ConverseStream exception.
    static func status(forException type: String) -> Int {
        switch type {
        case "throttlingException": 429
        case "validationException": 400
        case "modelStreamErrorException": 424
        case "serviceUnavailableException": 503
        default: 500
        }
    }
}
