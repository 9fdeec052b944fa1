import SwitchyardCore
import SwitchyardServer

/// The YAML config loader (with `${ENV}` interpolation and validation) on arbitrary text: a
/// configuration or a list of issues, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let loader = ConfigurationLoader(environment: ["KEY": "sk-test", "PORT": "8080", "EMPTY": ""])
    _ = try? loader.load(yaml: text)
    return 0
}
