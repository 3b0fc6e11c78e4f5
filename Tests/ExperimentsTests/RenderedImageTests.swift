import Foundation
import Testing
@testable import Experiments

/// What counts as a whole figure file: the PNG signature and a final IEND chunk; a PDF header and %%EOF.
struct RenderedImageTests {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    @Test func aPNGIsWholeOnlyWithItsSignatureAndFinalIEND() {
        let body: [UInt8] = [0, 0, 0, 13] + Array("IHDR".utf8) + [UInt8](repeating: 7, count: 17)
        #expect(RenderedImage.png.isComplete(Data(signature + body + iend)))
        #expect(!RenderedImage.png.isComplete(Data(signature + body + iend.dropLast())))   // truncated
        #expect(!RenderedImage.png.isComplete(Data(signature + body)))                      // no IEND
        #expect(!RenderedImage.png.isComplete(Data(body + iend)))                           // no signature
        #expect(!RenderedImage.png.isComplete(Data()))
    }

    @Test func aPDFIsWholeOnlyWithItsHeaderAndEOFMarker() {
        #expect(RenderedImage.pdf.isComplete(Data("%PDF-1.5\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n".utf8)))
        #expect(!RenderedImage.pdf.isComplete(Data("%PDF-1.5\n1 0 obj\n<<>>\nendobj\n".utf8)))
        #expect(!RenderedImage.pdf.isComplete(Data("1 0 obj\n%%EOF\n".utf8)))
        #expect(!RenderedImage.png.isComplete(Data("%PDF-1.5\n%%EOF".utf8)))
    }
}

/// A two-panel figure carries its title on the multiplot, centred over both panels; a one-panel figure
/// keeps it as the plot's title.
struct FigureTitleTests {
    static let header = "set datafile separator ','\nset title \"Max-min SE vs K, a title long enough to be cut over one panel (ours)\"\n"

    @Test func aTwoPanelTitleSpansBothPanels() {
        var curves = CurvesOverK()
        curves.add("Optimal_ul", K: 10, [1])
        curves.add("Optimal_dl", K: 10, [2])
        let two = curves.script(Self.header, file: "f", panels: [("_ul", "UL"), ("_dl", "DL")])
        #expect(two.contains("set multiplot layout 1,2 title \"Max-min SE vs K, a title long enough to be cut over one panel (ours)\"\n"))
        #expect(!two.contains("set title"))
        let one = curves.script(Self.header, file: "f", panels: [("_ul", "UL")])
        #expect(one.contains("set title \"Max-min SE vs K") && !one.contains("multiplot"))
    }

    /// A panel over more than two decades gets a log y axis with %g tick labels, reset for the next panel.
    @Test func aLogPanelLabelsItsTicksCompactly() {
        var curves = CurvesOverK()
        curves.add("Optimal_ul", K: 10, [2])
        curves.add("Optimal_ul", K: 100, [0.0004])
        curves.add("Optimal_dl", K: 10, [3])
        curves.add("Optimal_dl", K: 100, [2])
        let script = curves.script(Self.header, file: "f", panels: [("_ul", "UL"), ("_dl", "DL")])
        let ul = script.components(separatedBy: "set xlabel")[0], dl = script.components(separatedBy: "unset logscale y")[1]
        #expect(ul.contains("set logscale y\nset format y '%g'\n"))
        #expect(dl.hasPrefix("\nset format y\n") && !dl.contains("set logscale y"))
    }
}
