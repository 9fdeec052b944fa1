extension String {
    /// The string without leading and trailing spaces (no Foundation needed).
    public func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }

    /// At most 64 characters of the string, for error messages that quote a client's input
    /// (a 900 KB model name is not echoed back whole).
    public var excerpt: String {
        count <= 64 ? self : String(prefix(64)) + "…"
    }
}
