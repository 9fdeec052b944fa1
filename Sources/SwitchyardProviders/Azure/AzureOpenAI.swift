/// Azure OpenAI's URL layout (PROTOCOLS §1.8). The body is OpenAI's; the deployment in the
/// path picks the model, and the key travels in `api-key` (see the `azure` preset).
public enum AzureOpenAI {
    /// The GA data-plane version used when the config gives none.
    public static let defaultAPIVersion = "2024-10-21"
    /// Azure AI Foundry's model-inference API version used when the config gives none.
    public static let foundryAPIVersion = "2024-05-01-preview"

    /// `{endpoint}/openai/deployments/{deployment}{path}?api-version=…`, or for the version-less
    /// v1 API (`api_version: v1`) `{endpoint}/openai/v1{path}` with the model in the body.
    static func url(baseURL: String, path: String, deployment: String?, apiVersion: String) -> String {
        if apiVersion == "v1" { return baseURL + "/openai/v1" + path }
        guard let deployment, path != "/models" else { return baseURL + "/openai" + path + "?api-version=" + apiVersion }
        return baseURL + "/openai/deployments/" + PercentEncoding.pathSegment(deployment) + path + "?api-version=" + apiVersion
    }
}
