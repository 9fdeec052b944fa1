extension JSONScanner {
    /// A client's request body read strictly (a duplicate key, invalid UTF-8 or a lone surrogate
    /// is a 400 with the offset), whose top level must be an object: the scanner and its root.
    public static func requestObject(_ bytes: [UInt8]) throws(GatewayError) -> (scanner: JSONScanner, root: JSONSpan) {
        let scanner = JSONScanner(bytes, strict: true)
        let root: JSONSpan
        do {
            root = try scanner.root()
        } catch {
            throw .invalidRequest("We could not parse the JSON body of your request (\(error.description)).")
        }
        guard root.kind == .object else { throw .invalidRequest("The request body must be a JSON object.") }
        return (scanner, root)
    }
}
