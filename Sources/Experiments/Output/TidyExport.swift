import DurableFile
import Foundation
import H5
import Pipeline

/// A numeric dataset's values as doubles, whatever its stored element type (nil: not numeric).
public func numericValues(_ d: H5Dataset) -> [Double]? {
    if let v = try? d.read(as: Double.self) { return v.values }
    if let v = try? d.read(as: Float.self) { return v.values.map(Double.init) }
    if let v = try? d.read(as: Int64.self) { return v.values.map(Double.init) }
    if let v = try? d.read(as: Int32.self) { return v.values.map(Double.init) }
    if let v = try? d.read(as: UInt8.self) { return v.values.map(Double.init) }
    return nil
}

/// A dataset's dimension names: its `dims` attribute (`sample,ue,ap`), else `d0`, `d1`, ….
public func dimensionNames(_ d: H5Dataset, rank: Int) -> [String] {
    if let dims = try? d.stringAttribute("dims") {
        let names = dims.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if names.count == rank { return names }
    }
    return (0..<rank).map { "d\($0)" }
}

/// The dataset at `path` ("group/sub/name", a leading "/" allowed) of `file`.
public func dataset(at path: String, in file: H5File) throws -> H5Dataset {
    let parts = path.split(separator: "/").map(String.init)
    guard let name = parts.last else { throw PipelineError.stage(id: "show", detail: "no dataset named in \"\(path)\"") }
    var group: H5Group = file
    for p in parts.dropLast() { group = try group.group(p) }
    return try group.dataset(name)
}

/// One cache file to export and the instance coordinates (swept parameters) its rows carry.
public struct ExportedInstance {
    public var coordinates: [(name: String, value: String)]
    public var path: String
    public init(coordinates: [(name: String, value: String)], path: String) { self.coordinates = coordinates; self.path = path }
}

/// Long-format ("tidy") CSV tables of the numeric datasets of `instances`, written to `directory`:
/// one file per dataset name (`se_ul.csv`), one row per element, with the instances' coordinate
/// columns, `group` (the HDF5 group holding the dataset: a scheme, `K40_1`, …), one index column per
/// dimension (named by the dataset's `dims`), and the value, its unit in the header (`se_ul [bit/s/Hz]`).
/// Text datasets (figure scripts, reports) are skipped. Returns the files written.
public func tidyExport(_ instances: [ExportedInstance], to directory: String) throws -> [String] {
    struct Table { var header: [String]; var lines: [String] }
    var tables: [String: Table] = [:], order: [String] = []
    let coordinateNames = instances.first?.coordinates.map(\.name) ?? []
    func cell(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
    for instance in instances {
        let file = try H5File.open(instance.path)
        defer { try? file.close() }
        for path in try file.datasetPaths() {
            let d = try dataset(at: path, in: file)
            let shape = d.shape
            guard let values = numericValues(d), !shape.isEmpty else { continue }
            let name = String(path.split(separator: "/").last!), group = path.split(separator: "/").dropLast().joined(separator: "/")
            let dims = dimensionNames(d, rank: shape.count), unit = (try? d.stringAttribute("units")) ?? ""
            let valueColumn = unit.isEmpty ? name : "\(name) [\(unit)]"
            let header = coordinateNames + ["group"] + dims + [valueColumn]
            if tables[name] == nil { tables[name] = Table(header: header, lines: []); order.append(name) }
            guard tables[name]!.header.count == header.count else {
                throw PipelineError.stage(id: instance.path, detail: "dataset \(path) has rank \(shape.count), other \(name) datasets a different one: cannot share one table")
            }
            let prefix = (instance.coordinates.map { cell($0.value) } + [cell(group)]).joined(separator: ",")
            var index = [Int](repeating: 0, count: shape.count)
            for v in values {
                tables[name]!.lines.append(prefix + "," + index.map(String.init).joined(separator: ",") + "," + String(format: "%.17g", v))
                var axis = shape.count - 1   // row-major: the last index runs fastest
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < shape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return try order.map { name in
        let t = tables[name]!, out = directory + "/" + name + ".csv"
        try DurableFile.write(([t.header.map(cell).joined(separator: ",")] + t.lines).joined(separator: "\n") + "\n", to: out)
        return out
    }
}

