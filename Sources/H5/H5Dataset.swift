@preconcurrency import CHDF5

/// How a dataset is stored: gzip level (nil = uncompressed), byte shuffle before gzip, chunk shape.
public struct H5StorageOptions: Sendable, Equatable {
    public var gzipLevel: Int?
    public var shuffle: Bool
    /// Chunk shape; nil picks one of at most about 1 MiB when chunking is needed (compression).
    public var chunks: [Int]?

    public init(gzipLevel: Int? = nil, shuffle: Bool = true, chunks: [Int]? = nil) {
        self.gzipLevel = gzipLevel
        self.shuffle = shuffle
        self.chunks = chunks
    }

    /// Contiguous, uncompressed.
    public static let plain = H5StorageOptions()
    /// Shuffle + gzip at `level` (1–9), automatic chunks.
    public static func gzip(_ level: Int = 4) -> H5StorageOptions { H5StorageOptions(gzipLevel: level) }

    /// A chunk shape of at most ~1 MiB: the full shape, halving the largest dimension (the leading one on
    /// ties, so trailing, contiguous dimensions stay whole) until it fits.
    static func autoChunks(_ shape: [Int], elementSize: Int) -> [Int] {
        var c = shape.map { max(1, $0) }
        while c.reduce(elementSize, *) > 1 << 20, let i = c.indices.max(by: { c[$0] < c[$1] }), c[i] > 1 {
            c[i] = (c[i] + 1) / 2
        }
        return c
    }
}

/// A dataset: an n-d array of one element type, plus attributes.
public final class H5Dataset: H5Node {
    /// The stored shape (row-major; an empty array for a scalar).
    public var shape: [Int] {
        let space = H5Handle.dataspace(H5Dget_space(handle.id))
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space.id, &dims, nil)
        return dims.map { Int($0) }
    }

    /// Names its dimensions the HDF5 way (the `DIMENSION_LABELS` attribute of the dimension-scales API),
    /// so h5py's `dset.dims[i].label` and HDFView show them; one label per dimension.
    public func setDimensionLabels(_ labels: [String]) throws {
        guard labels.count == shape.count else {
            throw H5Error.invalidArgument(file: place.file, object: place.object, detail: "\(labels.count) dimension labels for rank \(shape.count)")
        }
        for (i, label) in labels.enumerated() {
            try place.check(label.withCString { H5DSset_label(handle.id, UInt32(i), $0) }, "set dimension label")
        }
    }

    /// The dimension labels (`setDimensionLabels`), "" where a dimension has none.
    public var dimensionLabels: [String] {
        (0..<shape.count).map { i in
            let n = H5DSget_label(handle.id, UInt32(i), nil, 0)
            guard n > 0 else { return "" }
            var buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = H5DSget_label(handle.id, UInt32(i), &buffer, buffer.count)
            return String(cString: buffer)
        }
    }

    /// The stored element type, in numpy's words (`float64`, `compound {r: float64, i: float64}`, …).
    public var typeDescription: String {
        H5Library.prepare()
        let t = H5Handle.datatype(H5Dget_type(handle.id))
        return describeType(t.id)
    }

    /// Storage layout and filters, for `inspect`: e.g. `chunked [2, 5, 6], shuffle, gzip 4`.
    public var storageDescription: String {
        H5Library.prepare()
        let dcpl = H5Handle.plist(H5Dget_create_plist(handle.id))
        var parts: [String] = []
        switch H5Pget_layout(dcpl.id) {
        case H5D_CHUNKED:
            let rank = shape.count
            var dims = [hsize_t](repeating: 0, count: max(1, rank))
            H5Pget_chunk(dcpl.id, Int32(rank), &dims)
            parts.append("chunked \(dims.prefix(rank).map { Int($0) })")
        case H5D_COMPACT: parts.append("compact")
        default: parts.append("contiguous")
        }
        for f in 0..<max(0, H5Pget_nfilters(dcpl.id)) {
            var flags: UInt32 = 0, nelmts = 1
            var cd: [UInt32] = [0]
            let id = H5Pget_filter2(dcpl.id, UInt32(f), &flags, &nelmts, &cd, 0, nil, nil)
            switch id {
            case H5Z_FILTER_DEFLATE: parts.append("gzip \(cd[0])")
            case H5Z_FILTER_SHUFFLE: parts.append("shuffle")
            case H5Z_FILTER_FLETCHER32: parts.append("fletcher32")
            default: parts.append("filter \(id)")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// Fails unless the dataset has rank `rank`.
    public func requireRank(_ rank: Int) throws {
        let s = shape
        guard s.count == rank else { throw H5Error.shapeMismatch(file: place.file, object: place.object, expected: "rank \(rank)", found: s) }
    }

    /// Fails unless the dataset has exactly `expected` shape.
    public func requireShape(_ expected: [Int]) throws {
        let s = shape
        guard s == expected else { throw H5Error.shapeMismatch(file: place.file, object: place.object, expected: "\(expected)", found: s) }
    }

    /// Reads the whole dataset. The stored type must be `T` exactly (class, size, signedness).
    public func read<T: H5Element>(as: T.Type = T.self) throws -> H5Array<T> {
        H5Library.prepare()
        let fileType = H5Handle.datatype(H5Dget_type(handle.id))
        guard let memType = T.readType(for: fileType.id) else {
            throw H5Error.typeMismatch(file: place.file, object: place.object, expected: T.typeName, found: describeType(fileType.id))
        }
        let s = shape
        var values = [T](repeating: T.placeholder, count: s.reduce(1, *))
        if values.isEmpty { return H5Array(shape: s, values: values) }
        let status = values.withUnsafeMutableBytes {
            H5Dread(handle.id, memType.id, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        try place.check(status, "read")
        return H5Array(shape: s, values: values)
    }

    /// Reads a scalar (or one-element) dataset.
    public func readScalar<T: H5Element>(as: T.Type = T.self) throws -> T {
        let a = try read(as: T.self)
        guard a.count == 1 else { throw H5Error.shapeMismatch(file: place.file, object: place.object, expected: "one element", found: a.shape) }
        return a.values[0]
    }

    /// Reads a scalar string dataset (fixed or variable length).
    public func readString() throws -> String {
        H5Library.prepare()
        let fileType = H5Handle.datatype(H5Dget_type(handle.id))
        let space = H5Handle.dataspace(H5Dget_space(handle.id))
        return try readStringValue(fileType: fileType.id, space: space.id, place: place) { mem, buf in
            H5Dread(handle.id, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buf)
        }
    }
}

extension H5Group {
    /// Writes `values` (row-major) as a new dataset of `shape` (`[]` for a scalar); parents are
    /// created as needed. An existing dataset of that name is an error, never silently replaced.
    @discardableResult
    public func write<T: H5Element>(_ name: String, _ values: [T], shape: [Int],
                                    options: H5StorageOptions = .plain) throws -> H5Dataset {
        H5Library.prepare()
        let target = place.child(name)
        guard values.count == shape.reduce(1, *), shape.allSatisfy({ $0 >= 0 }) else {
            throw H5Error.invalidArgument(file: place.file, object: target.object,
                                          detail: "\(values.count) values do not fill shape \(shape)")
        }
        guard !contains(name) else {
            throw H5Error.invalidArgument(file: place.file, object: target.object, detail: "dataset exists")
        }
        let parentPath = name.split(separator: "/").dropLast().joined(separator: "/")
        let parent = parentPath.isEmpty ? self : try createGroup(parentPath)
        let leaf = String(name.split(separator: "/").last ?? "")

        var dims = shape.map { hsize_t($0) }
        let space = H5Handle.dataspace(shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), &dims, nil))
        let dcpl = untimedCreationList(H5P_CLS_DATASET_CREATE_ID_g)
        if !shape.isEmpty && (options.gzipLevel != nil || options.chunks != nil) {
            var chunk = (options.chunks ?? H5StorageOptions.autoChunks(shape, elementSize: MemoryLayout<T>.stride)).map { hsize_t($0) }
            guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
                throw H5Error.invalidArgument(file: place.file, object: target.object,
                                              detail: "chunk shape \(options.chunks ?? []) does not fit rank \(shape.count)")
            }
            try target.check(H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunk), "set chunks")
            if let level = options.gzipLevel {
                if options.shuffle { try target.check(H5Pset_shuffle(dcpl.id), "set shuffle") }
                try target.check(H5Pset_deflate(dcpl.id, UInt32(max(0, min(9, level)))), "set gzip")
            }
        }
        let type = T.makeType()
        let id = H5Dcreate2(parent.handle.id, leaf, type.id, space.id, chdf5_p_default(), dcpl.id, chdf5_p_default())
        try target.check(id, "create dataset")
        let dataset = H5Dataset(handle: H5Handle(id, closer: H5Dclose), place: target, owner: file)
        if !values.isEmpty {
            let status = values.withUnsafeBytes {
                H5Dwrite(id, type.id, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            try target.check(status, "write")
        }
        return dataset
    }

    /// Writes a scalar dataset.
    @discardableResult
    public func write<T: H5Element>(_ name: String, scalar: T) throws -> H5Dataset {
        try write(name, [scalar], shape: [])
    }

    /// Writes an array with its shape.
    @discardableResult
    public func write<T: H5Element>(_ name: String, _ array: H5Array<T>, options: H5StorageOptions = .plain) throws -> H5Dataset {
        try write(name, array.values, shape: array.shape, options: options)
    }

    /// Opens an existing dataset.
    public func dataset(_ name: String) throws -> H5Dataset {
        let (h, p) = try openMember(name, "dataset", open: H5Dopen2, close: H5Dclose)
        return H5Dataset(handle: h, place: p, owner: file)
    }

    /// Reads a whole dataset as `T`; with `shape`, also checks the stored shape.
    public func read<T: H5Element>(_ name: String, as type: T.Type = T.self, shape: [Int]? = nil) throws -> H5Array<T> {
        let d = try dataset(name)
        if let shape { try d.requireShape(shape) }
        return try d.read(as: type)
    }
}

/// Reads one string from a dataset or attribute, whatever its storage (fixed or variable length).
func readStringValue(fileType: hid_t, space: hid_t, place: H5Place,
                     read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> String {
    guard H5Tget_class(fileType) == H5T_STRING else {
        throw H5Error.typeMismatch(file: place.file, object: place.object, expected: "string", found: describeType(fileType))
    }
    guard H5Sget_simple_extent_npoints(space) == 1 else {
        throw H5Error.shapeMismatch(file: place.file, object: place.object, expected: "one string", found: [Int(H5Sget_simple_extent_npoints(space))])
    }
    let memType = H5Handle.datatype(H5Tcopy(fileType))
    if H5Tis_variable_str(fileType) > 0 {
        var pointer: UnsafeMutablePointer<CChar>? = nil
        try place.check(read(memType.id, &pointer), "read string")
        defer { if let pointer { H5free_memory(pointer) } }
        return pointer.map { String(cString: $0) } ?? ""
    }
    var bytes = [UInt8](repeating: 0, count: H5Tget_size(fileType) + 1)
    try place.check(bytes.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }, "read string")
    var end = bytes.firstIndex(of: 0) ?? bytes.count
    if H5Tget_strpad(fileType) == H5T_STR_SPACEPAD { while end > 0 && bytes[end - 1] == 0x20 { end -= 1 } }
    return String(decoding: bytes[..<end], as: UTF8.self)
}
