/// Strict UTF-8 validation (RFC 3629): no overlong forms, no encoded surrogates, nothing past
/// U+10FFFF. ASCII runs go 32 bytes per step as four 64-bit words — plain integer operations, which
/// the compiler keeps in registers (generic `SIMD16<UInt8>` mask tests are not vectorised on Linux)
/// — so a long English prompt costs a memory scan.
public enum UTF8Validation {
    /// The offset of the first byte that does not start or continue a valid sequence, or nil
    /// when every byte is valid UTF-8.
    public static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let raw = UnsafeRawPointer(base)
            let count = buffer.count
            let high: UInt64 = 0x8080_8080_8080_8080
            var i = 0
            while i < count {
                while count - i >= 32 {
                    let words = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                        | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                    if words & high != 0 { break }
                    i += 32
                }
                while count - i >= 8, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 { i += 8 }
                guard i < count else { break }
                let lead = base[i]
                if lead < 0x80 { i += 1; continue }
                let length: Int
                var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; lower = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; upper = 0x9F  // U+D800…U+DFFF are not characters
                case 0xF0: length = 4; lower = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; upper = 0x8F  // nothing past U+10FFFF
                default: return i
                }
                guard i + length <= count else { return i }
                let second = base[i + 1]
                guard second >= lower, second <= upper else { return i }
                for k in 2..<max(2, length) where base[i + k] & 0xC0 != 0x80 { return i }
                i += length
            }
            return nil
        }
    }
}
