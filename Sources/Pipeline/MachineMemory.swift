import Foundation

/// This machine's physical memory, the bound `plan` holds each instance's `memoryEstimate` to.
public enum MachineMemory {
    /// Physical memory [bytes] (sysconf pages × page size).
    public static let bytes: Double = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))

    /// `12.3 GB` (decimal units), `512 MB`, up to `EB` and beyond as a power of ten.
    public static func format(_ bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, i = 0
        while value >= 1000, i < units.count - 1 { value /= 1000; i += 1 }
        return value >= 1000 ? String(format: "%.1e B", bytes) : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[i])
    }
}
