@preconcurrency import CHDF5

extension H5Dataset {
    /// The stored elements as bytes, in the file's own element type (for checksums); a string
    /// dataset gives its UTF-8 text, since variable-length data in memory are pointers.
    public func rawBytes() throws -> [UInt8] {
        H5Library.prepare()
        let fileType = H5Handle.datatype(H5Dget_type(handle.id))
        if H5Tget_class(fileType.id) == H5T_STRING { return Array(try readString().utf8) }
        guard H5Tis_variable_str(fileType.id) <= 0, H5Tdetect_class(fileType.id, H5T_VLEN) <= 0 else {
            throw H5Error.typeMismatch(file: place.file, object: place.object, expected: "fixed-size elements", found: describeType(fileType.id))
        }
        let count = shape.reduce(1, *)
        var bytes = [UInt8](repeating: 0, count: count * H5Tget_size(fileType.id))
        if bytes.isEmpty { return bytes }
        let memType = H5Handle.datatype(H5Tcopy(fileType.id))
        let status = bytes.withUnsafeMutableBytes {
            H5Dread(handle.id, memType.id, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        try place.check(status, "read")
        return bytes
    }

    /// Where a contiguous dataset's elements start in the file (bytes), or nil when chunked, compact or unwritten.
    public var storageOffset: Int? {
        H5Library.prepare()
        let offset = H5Dget_offset(handle.id)
        return offset == UInt64.max ? nil : Int(offset)
    }
}

extension H5Group {
    /// Paths of every dataset below this group (recursively), sorted.
    public func datasetPaths() throws -> [String] {
        var out: [String] = []
        for m in try members() {
            let child = path == "/" ? "/" + m.name : path + "/" + m.name
            switch m.kind {
            case .dataset: out.append(child)
            case .group: out += try group(m.name).datasetPaths()
            case .other: break
            }
        }
        return out.sorted()
    }
}
