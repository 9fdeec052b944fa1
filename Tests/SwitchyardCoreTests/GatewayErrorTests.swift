import Testing
@testable import SwitchyardCore

@Suite struct GatewayErrorTests {
    @Test func rendersOpenAIEnvelope() throws {
        let body = GatewayError.modelNotFound("gpt-9").openAIBody
        let scanner = JSONScanner(body)
        let error = try #require(scanner.member("error", of: try scanner.root())).value
        #expect(scanner.string(try #require(scanner.member("type", of: error)).value) == "invalid_request_error")
        #expect(scanner.string(try #require(scanner.member("code", of: error)).value) == "model_not_found")
        #expect(scanner.string(try #require(scanner.member("param", of: error)).value) == "model")
    }

    @Test(arguments: [
        (GatewayError.invalidRequest("x"), 400), (.authentication(), 401), (.insufficientCredits("x"), 402),
        (.permissionDenied("x"), 403), (.modelNotFound("m"), 404), (.payloadTooLarge(limit: 1), 413),
        (.rateLimited("x", retryAfterSeconds: 1), 429), (.upstreamUnreachable("p"), 502), (.noHealthyDeployment("m"), 503),
        (.upstreamTimeout("p"), 504),
    ])
    func statusesFollowDesign(_ error: GatewayError, _ status: Int) {
        #expect(error.status == status)
    }

    @Test func onlyUpstreamFailuresAreRetryable() {
        #expect(GatewayError.upstreamUnreachable("p").isRetryable)
        #expect(!GatewayError.invalidRequest("x").isRetryable)
        #expect(!GatewayError.upstream(.upstreamAuthentication, "x", status: 401).isRetryable)
        #expect(GatewayError.upstream(.upstreamAuthentication, "x", status: 401).allowsFailover)
    }

    @Test func secretDescriptionIsRedacted() {
        let secret = Secret("sk-very-secret")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
    }
}
