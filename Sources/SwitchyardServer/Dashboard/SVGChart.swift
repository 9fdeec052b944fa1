import Foundation
/// Charts as inline SVG, drawn on the server: no script, no external asset, nothing inline that
import SwitchyardRouting
/// a strict Content-Security-Policy refuses (presentation attributes only, no `style`).
/// Every label is escaped; the output is safe to place in a page unescaped.
enum SVGChart {
    struct Point: Sendable, Equatable {
        var label: String
        var value: Double
    }

    /// Vertical bars with the first, middle and last labels under them and the maximum on the
    /// axis. `title` names the chart for assistive technology.
    static func bars(_ points: [Point], title: String, unit: String = "", width: Int = 720, height: Int = 200) -> String {
        let top = 16.0, bottom = 28.0, left = 56.0
        let plotHeight = Double(height) - top - bottom
        let plotWidth = Double(width) - left - 8
        let finite = points.map { $0.value.isFinite ? max($0.value, 0) : 0 }
        let maximum = max(finite.max() ?? 0, 0)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(escape(title))">\
            <title>\(escape(title))</title>
            """
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(Double(width) - 8)\" y2=\"\(top + plotHeight)\" stroke=\"currentColor\" stroke-opacity=\"0.3\"/>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">\(escape(format(maximum, unit: unit)))</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + plotHeight)\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">0</text>"
        guard !points.isEmpty else {
            return svg + "<text x=\"\(Double(width) / 2)\" y=\"\(Double(height) / 2)\" text-anchor=\"middle\" font-size=\"13\" fill=\"currentColor\">No data yet</text></svg>"
        }
        let slot = plotWidth / Double(points.count)
        let barWidth = max(1, slot * 0.7)
        for (index, point) in points.enumerated() {
            let value = finite[index]
            let barHeight = maximum > 0 ? plotHeight * value / maximum : 0
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            svg += "<rect class=\"bar\" x=\"\(rounded(x))\" y=\"\(rounded(top + plotHeight - barHeight))\" width=\"\(rounded(barWidth))\" "
                + "height=\"\(rounded(barHeight))\"><title>\(escape(point.label)): \(escape(format(value, unit: unit)))</title></rect>"
        }
        for index in Set([0, points.count / 2, points.count - 1]).sorted() {
            let x = left + slot * (Double(index) + 0.5)
            svg += "<text x=\"\(rounded(x))\" y=\"\(Double(height) - 8)\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">\(escape(points[index].label))</text>"
        }
        return svg + "</svg>"
    }

    static func format(_ value: Double, unit: String) -> String {
        let text = value >= 100 ? String(Int(value.rounded())) : value >= 1 ? String(format2(value)) : String(format4(value))
        return unit == "$" ? "$" + text : text + unit
    }

    private static func format2(_ value: Double) -> String { String((value * 100).rounded() / 100) }
    private static func format4(_ value: Double) -> String { String((value * 10_000).rounded() / 10_000) }
    private static func rounded(_ value: Double) -> String { String((value * 10).rounded() / 10) }

    /// Text for SVG/HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
