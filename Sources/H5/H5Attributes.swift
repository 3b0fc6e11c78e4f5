@preconcurrency import CHDF5

// Attributes on files, groups and datasets: strings (variable-length UTF-8, as h5py writes them)
// and numeric scalars or 1-d arrays. Setting an existing attribute replaces it.
extension H5Node {
    /// Whether the attribute exists.
    public func hasAttribute(_ name: String) -> Bool {
        H5Library.prepare()
        let r = H5Aexists(handle.id, name)
        if r < 0 { H5Eclear2(chdf5_e_default()) }
        return r > 0
    }

    /// Attribute names in name order.
    public var attributeNames: [String] {
        H5Library.prepare()
        final class Box { var names: [String] = [] }
        let box = Box()
        var idx: hsize_t = 0
        let visit: H5A_operator2_t = { _, name, _, data in
            if let name, let data { Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name)) }
            return 0
        }
        withExtendedLifetime(box) {
            _ = H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, &idx, visit, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.names
    }

    private func createAttribute(_ name: String, type: hid_t, space: hid_t) throws -> H5Handle {
        H5Library.prepare()
        let target = place.child("@" + name)
        if hasAttribute(name) { try target.check(H5Adelete(handle.id, name), "replace attribute") }
        let id = H5Acreate2(handle.id, name, type, space, chdf5_p_default(), chdf5_p_default())
        try target.check(id, "create attribute")
        return H5Handle(id, closer: H5Aclose)
    }

    private func openAttribute(_ name: String) throws -> (H5Handle, H5Place) {
        H5Library.prepare()
        let target = place.child("@" + name)
        guard hasAttribute(name) else { throw H5Error.missing(file: place.file, object: target.object) }
        let id = H5Aopen(handle.id, name, chdf5_p_default())
        try target.check(id, "open attribute")
        return (H5Handle(id, closer: H5Aclose), target)
    }

    /// Sets a string attribute (variable-length UTF-8, what h5py writes for `str`).
    public func setAttribute(_ name: String, _ value: String) throws {
        let type = variableUTF8StringType()
        let space = H5Handle.dataspace(H5Screate(H5S_SCALAR))
        let attr = try createAttribute(name, type: type.id, space: space.id)
        let status = value.withCString { cstr -> herr_t in
            var p: UnsafePointer<CChar>? = cstr
            return H5Awrite(attr.id, type.id, &p)
        }
        try place.child("@" + name).check(status, "write attribute")
    }

    /// Sets a numeric attribute: a scalar when `shape` is `[]`, else a 1-d array.
    public func setAttribute<T: H5Element>(_ name: String, _ values: [T], scalar: Bool = false) throws {
        precondition(!scalar || values.count == 1, "setAttribute: a scalar needs exactly one value")
        var dims = [hsize_t(values.count)]
        let space = H5Handle.dataspace(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil))
        let type = T.makeType()
        let attr = try createAttribute(name, type: type.id, space: space.id)
        let status = values.withUnsafeBytes { H5Awrite(attr.id, type.id, $0.baseAddress) }
        try place.child("@" + name).check(status, "write attribute")
    }

    /// Sets a numeric scalar attribute.
    public func setAttribute<T: H5Element>(_ name: String, scalar value: T) throws {
        try setAttribute(name, [value], scalar: true)
    }

    /// Reads a string attribute (fixed or variable length).
    public func stringAttribute(_ name: String) throws -> String {
        let (attr, target) = try openAttribute(name)
        let type = H5Handle.datatype(H5Aget_type(attr.id))
        let space = H5Handle.dataspace(H5Aget_space(attr.id))
        return try readStringValue(fileType: type.id, space: space.id, place: target) { mem, buf in
            H5Aread(attr.id, mem, buf)
        }
    }

    /// Reads a numeric attribute (scalar or array) as `T`, strictly typed.
    public func attribute<T: H5Element>(_ name: String, as: T.Type = T.self) throws -> [T] {
        let (attr, target) = try openAttribute(name)
        let fileType = H5Handle.datatype(H5Aget_type(attr.id))
        guard let memType = T.readType(for: fileType.id) else {
            throw H5Error.typeMismatch(file: target.file, object: target.object, expected: T.typeName, found: describeType(fileType.id))
        }
        let space = H5Handle.dataspace(H5Aget_space(attr.id))
        var values = [T](repeating: T.placeholder, count: Int(H5Sget_simple_extent_npoints(space.id)))
        if values.isEmpty { return values }
        let status = values.withUnsafeMutableBytes { H5Aread(attr.id, memType.id, $0.baseAddress) }
        try target.check(status, "read attribute")
        return values
    }
}

/// The datatype of string attributes: variable-length UTF-8 C strings (what h5py writes for `str`).
func variableUTF8StringType() -> H5Handle {
    let type = H5Handle.datatype(H5Tcopy(chdf5_c_s1()))
    H5Tset_size(type.id, chdf5_t_variable())
    H5Tset_cset(type.id, H5T_CSET_UTF8)
    return type
}
