import Foundation
import SwitchyardRouting
import Mustache
import NIOCore
import SwitchyardAccounts

/// The dashboard's templates and static files, shipped inside the binary's resource bundle and
/// loaded once at start-up: no CDN, no files read per request.
struct DashboardAssets: Sendable {
    let templates: MustacheLibrary
    let files: [String: StaticFile]

    struct StaticFile: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        /// A strong validator: the SHA-256 of the content, quoted.
        let etag: String
    }

    struct MissingResources: Error, CustomStringConvertible {
        let description: String
    }

    static func load() async throws -> DashboardAssets {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("ui") else {
            throw MissingResources(description: "the dashboard's resources are not in the bundle")
        }
        let templates = try await MustacheLibrary(directory: root.appendingPathComponent("templates").path)
        var files: [String: StaticFile] = [:]
        let folder = root.appendingPathComponent("static")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let type = switch (name as NSString).pathExtension {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
            files[name] = StaticFile(bytes: ByteBuffer(bytes: data), contentType: type, etag: "\"\(KeyMaterial.hash(String(decoding: data, as: UTF8.self)).prefix(32))\"")
        }
        return DashboardAssets(templates: templates, files: files)
    }

    /// `name` rendered with `data`; a template that is missing renders as an empty string (a
    /// packaging defect the template tests catch).
    func render(_ name: String, _ data: [String: Any]) -> String {
        templates.render(data, withTemplate: name) ?? ""
    }
}
