@preconcurrency import CHDF5

// What a reader of a file sees, written out canonically for content checksums: every object's
// attributes and every dataset's full datatype, shape and values converted to this machine's native
// types. A flipped byte-order, sign or exponent field changes the datatype text; a flipped value bit
// changes the values; neither can pass unnoticed as it would when only the stored bytes are hashed.

/// The full description of a datatype: class and size, and for numbers and strings byte order,
/// precision, bit offset and padding (integers: sign; floats: sign/exponent/mantissa positions and
/// sizes, exponent bias, normalisation; strings: length kind, character set and padding), for compounds every
/// member's name, offset and type, for enums, arrays and variable-length types their base type.
func typeSignature(_ t: hid_t) -> String {
    let cls = H5Tget_class(t)
    var parts = ["class \(cls.rawValue)", "size \(H5Tget_size(t))"]
    switch cls {
    case H5T_INTEGER, H5T_FLOAT, H5T_BITFIELD, H5T_STRING:
        var lsb = H5T_PAD_ZERO, msb = H5T_PAD_ZERO
        H5Tget_pad(t, &lsb, &msb)
        parts += ["order \(H5Tget_order(t).rawValue)", "precision \(H5Tget_precision(t))", "offset \(H5Tget_offset(t))",
                  "pad \(lsb.rawValue) \(msb.rawValue)"]
        if cls == H5T_INTEGER { parts.append("sign \(H5Tget_sign(t).rawValue)") }
        if cls == H5T_FLOAT {
            var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
            H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize)
            parts += ["fields \(spos) \(epos) \(esize) \(mpos) \(msize)", "ebias \(H5Tget_ebias(t))", "norm \(H5Tget_norm(t).rawValue)",
                      "inpad \(H5Tget_inpad(t).rawValue)"]
        }
        if cls == H5T_STRING {
            parts += ["variable \(H5Tis_variable_str(t))", "cset \(H5Tget_cset(t).rawValue)", "strpad \(H5Tget_strpad(t).rawValue)"]
        }
    case H5T_COMPOUND, H5T_ENUM:
        for m in 0..<UInt32(max(0, H5Tget_nmembers(t))) {
            var name = "?"
            if let raw = H5Tget_member_name(t, m) { name = String(cString: raw); H5free_memory(raw) }
            if cls == H5T_COMPOUND {
                let member = H5Handle.datatype(H5Tget_member_type(t, m))
                parts.append("member \(name) at \(H5Tget_member_offset(t, m)) " + withExtendedLifetime(member) { typeSignature(member.id) })
            } else {
                var value = [UInt8](repeating: 0, count: H5Tget_size(t))
                H5Tget_member_value(t, m, &value)
                parts.append("member \(name) = \(value)")
            }
        }
    default: break
    }
    if [H5T_ENUM, H5T_ARRAY, H5T_VLEN].contains(cls) || (cls == H5T_STRING && H5Tis_variable_str(t) > 0) {
        if cls == H5T_ARRAY {
            var dims = [hsize_t](repeating: 0, count: Int(max(0, H5Tget_array_ndims(t))))
            H5Tget_array_dims2(t, &dims)
            parts.append("dims \(dims)")
        }
        let base = H5Handle.datatype(H5Tget_super(t))   // kept open while it is described
        parts.append("base " + withExtendedLifetime(base) { typeSignature(base.id) })
    }
    return "{" + parts.joined(separator: "; ") + "}"
}

/// The shape and maximum shape of a dataspace (empty for a scalar), and its class (scalar, simple, null).
private func extent(_ space: hid_t) -> String {
    let rank = Int(max(0, H5Sget_simple_extent_ndims(space)))
    var dims = [hsize_t](repeating: 0, count: rank), maxDims = [hsize_t](repeating: 0, count: rank)
    H5Sget_simple_extent_dims(space, &dims, &maxDims)
    return "space \(H5Sget_simple_extent_type(space).rawValue) \(dims) max \(maxDims)"
}

/// The values of a dataset or attribute as this machine reads them: numbers and compounds converted to
/// the native type, a single string as its UTF-8 text, fixed-length strings as stored, variable-length
/// ones each as its length and UTF-8 text.
private func nativeBytes(fileType: hid_t, space: hid_t, place: H5Place, read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [UInt8] {
    let count = Int(H5Sget_simple_extent_npoints(space))
    if H5Tget_class(fileType) == H5T_STRING {
        if count == 1 { return Array(try readStringValue(fileType: fileType, space: space, place: place, read: read).utf8) }
        if H5Tis_variable_str(fileType) > 0 {
            // An array of variable-length strings (e.g. DIMENSION_LABELS): each string's byte count, then its bytes.
            let memType = H5Handle.datatype(H5Tcopy(fileType))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try place.check(pointers.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }, "read strings")
            defer { for p in pointers { if let p { H5free_memory(p) } } }
            return pointers.flatMap { p -> [UInt8] in
                let text = Array((p.map { String(cString: $0) } ?? "").utf8)
                return withUnsafeBytes(of: UInt64(text.count).littleEndian, Array.init) + text
            }
        }
    }
    guard H5Tdetect_class(fileType, H5T_VLEN) <= 0, H5Tget_class(fileType) != H5T_REFERENCE else {
        throw H5Error.typeMismatch(file: place.file, object: place.object, expected: "fixed-size elements", found: describeType(fileType))
    }
    let memType = H5Handle.datatype(H5Tget_class(fileType) == H5T_STRING ? H5Tcopy(fileType) : H5Tget_native_type(fileType, H5T_DIR_ASCEND))
    return try withExtendedLifetime(memType) {
        try place.check(memType.id, "native type")
        var bytes = [UInt8](repeating: 0, count: count * H5Tget_size(memType.id))
        if bytes.isEmpty { return bytes }
        try place.check(bytes.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }, "read")
        return bytes
    }
}

/// The full datatype of the string attributes `setAttribute(_:_: String)` writes.
public let writtenStringTypeSignature: String = {
    H5Library.prepare()
    let type = variableUTF8StringType()
    return withExtendedLifetime(type) { typeSignature(type.id) }
}()

extension H5Node {
    /// The full datatype of attribute `name` (as `typeSignature` writes it out), nil when it cannot be opened.
    public func attributeTypeSignature(_ name: String) -> String? {
        H5Library.prepare()
        let id = H5Aopen(handle.id, name, chdf5_p_default())
        guard id >= 0 else { H5Eclear2(chdf5_e_default()); return nil }
        let attr = H5Handle(id, closer: H5Aclose), type = H5Handle.datatype(H5Aget_type(id))
        return withExtendedLifetime((attr, type)) { typeSignature(type.id) }
    }

    /// The object's comment (H5Oset_comment), then each attribute but those in `skip`, in name order: its
    /// name, datatype, shape and values as read; of those in `presenceOnly`, the name alone.
    func canonicalAttributes(skipping skip: Set<String>, presenceOnly: Set<String>, _ body: (String, [UInt8]) throws -> Void) throws {
        let length = H5Oget_comment(handle.id, nil, 0)
        if length > 0 {
            var comment = [CChar](repeating: 0, count: length + 1)
            H5Oget_comment(handle.id, &comment, comment.count)
            try body("comment", comment.map { UInt8(bitPattern: $0) })
        }
        for name in attributeNames where !skip.contains(name) {
            if presenceOnly.contains(name) {
                try body("attribute \(name) present", [])
                continue
            }
            let target = place.child("@" + name)
            let id = H5Aopen(handle.id, name, chdf5_p_default())
            try target.check(id, "open attribute")
            let attr = H5Handle(id, closer: H5Aclose)
            let type = H5Handle.datatype(H5Aget_type(attr.id)), space = H5Handle.dataspace(H5Aget_space(attr.id))
            try withExtendedLifetime((attr, type, space)) {
                let bytes = try nativeBytes(fileType: type.id, space: space.id, place: target) { H5Aread(attr.id, $0, $1) }
                try body("attribute \(name) \(typeSignature(type.id)) \(extent(space.id)) \(bytes.count)", bytes)
            }
        }
    }
}

extension H5Group {
    /// Everything a reader sees below this group, in a fixed order, as (label, bytes) pieces for a hash:
    /// this group's comment and attributes (but `skip`; of `presenceOnly` only that they exist), then each
    /// member by name: a group recursively (its attributes unfiltered), a dataset as its full datatype,
    /// shape and native values, then its attributes.
    public func canonicalContent(skippingAttributes skip: Set<String> = [], presenceOnly: Set<String> = [],
                                 _ body: (String, [UInt8]) throws -> Void) throws {
        try canonicalAttributes(skipping: skip, presenceOnly: presenceOnly, body)
        for m in try members().sorted(by: { $0.name < $1.name }) {
            let child = path == "/" ? "/" + m.name : path + "/" + m.name
            switch m.kind {
            case .group:
                try body("group \(child)", [])
                try group(m.name).canonicalContent(body)
            case .dataset:
                let d = try dataset(m.name)
                let type = H5Handle.datatype(H5Dget_type(d.handle.id)), space = H5Handle.dataspace(H5Dget_space(d.handle.id))
                try withExtendedLifetime((type, space)) {
                    let bytes = try nativeBytes(fileType: type.id, space: space.id, place: d.place) {
                        H5Dread(d.handle.id, $0, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $1)
                    }
                    try body("dataset \(child) \(typeSignature(type.id)) \(extent(space.id)) \(bytes.count)", bytes)
                }
                try d.canonicalAttributes(skipping: [], presenceOnly: [], body)
            case .other:
                try body("other \(child)", [])
            }
        }
    }
}
