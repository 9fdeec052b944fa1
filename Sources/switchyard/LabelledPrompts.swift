import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardRouting

/// Prompts for `router eval` and `router calibrate`: RouteLLM CSVs (`prompt`, weak model's
/// correctness, strong model's correctness — in that column order), a directory of them, or
/// JSONL lines `{"prompt"|"messages", "weak": bool, "strong": bool}`.
struct LabelledPrompts {
    var features: RequestFeatures
    var weak: Bool
    var strong: Bool

    static func load(_ path: String, labelsRequired: Bool = true) throws -> [LabelledPrompts] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ValidationError("\(path): not found") }
        if isDirectory.boolValue {
            let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".csv") }.sorted()
            return try files.flatMap { try load((path as NSString).appendingPathComponent($0), labelsRequired: labelsRequired) }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if path.hasSuffix(".csv") { return try csv(text, path: path) }
        var rows: [LabelledPrompts] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let json = try? JSONValue.parse(Array(line.utf8)), json.isObject else { throw ValidationError("\(path):\(index + 1): not a JSON object") }
            let weak = json["weak"]?.boolValue
            let strong = json["strong"]?.boolValue
            if labelsRequired && (weak == nil || strong == nil) { throw ValidationError("\(path):\(index + 1): needs boolean \"weak\" and \"strong\"") }
            rows.append(LabelledPrompts(features: RequestFeatures(json: json), weak: weak ?? false, strong: strong ?? false))
        }
        return rows
    }

    static func csv(_ text: String, path: String) throws -> [LabelledPrompts] {
        let records = CSVReader.records(text)
        guard let header = records.first, header.count >= 3, header[0] == "prompt" else {
            throw ValidationError("\(path): expected columns prompt, <weak model>, <strong model>")
        }
        return records.dropFirst().filter { $0.count >= 3 }.map { record in
            LabelledPrompts(features: RequestFeatures(text: record[0]), weak: record[1] == "True", strong: record[2] == "True")
        }
    }
}
