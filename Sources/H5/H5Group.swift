@preconcurrency import CHDF5

/// A group: a folder of groups and datasets. Paths may be nested (`a/b/c`) or absolute (`/a/b`).
public class H5Group: H5Node {
    /// The kind of a member of a group.
    public enum MemberKind: String, Sendable { case group, dataset, other }

    /// The file whose objects this group's children keep alive.
    var file: H5File { owner ?? (self as! H5File) }

    /// Creates a group (and any missing parents); returns the existing group if there is one.
    @discardableResult
    public func createGroup(_ name: String) throws -> H5Group {
        H5Library.prepare()
        var current: H5Group = self
        for component in name.split(separator: "/").map(String.init) {
            current = try current.contains(component) ? current.group(component) : current.makeChildGroup(component)
        }
        return current
    }

    private func makeChildGroup(_ name: String) throws -> H5Group {
        let gcpl = untimedCreationList(H5P_CLS_GROUP_CREATE_ID_g)
        let child = place.child(name)
        let id = H5Gcreate2(handle.id, name, chdf5_p_default(), gcpl.id, chdf5_p_default())
        try child.check(id, "create group")
        return H5Group(handle: H5Handle(id, closer: H5Gclose), place: child, owner: file)
    }

    /// Opens an existing group.
    public func group(_ name: String) throws -> H5Group {
        let (h, p) = try openMember(name, "group", open: H5Gopen2, close: H5Gclose)
        return H5Group(handle: h, place: p, owner: file)
    }

    /// Opens member `name` with an HDF5 `open(location, name, access plist)`; `missing` if absent.
    func openMember(_ name: String, _ kind: String, open: (hid_t, UnsafePointer<CChar>, hid_t) -> hid_t,
                    close: @escaping (hid_t) -> herr_t) throws -> (H5Handle, H5Place) {
        H5Library.prepare()
        let child = place.child(name)
        guard contains(name) else { throw H5Error.missing(file: place.file, object: child.object) }
        let id = open(handle.id, name, chdf5_p_default())
        try child.check(id, "open \(kind)")
        return (H5Handle(id, closer: close), child)
    }

    /// Whether a link `name` (possibly nested) exists below this group.
    public func contains(_ name: String) -> Bool {
        H5Library.prepare()
        var prefix = name.hasPrefix("/") ? "/" : ""
        for component in name.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + component
            if H5Lexists(handle.id, prefix, chdf5_p_default()) <= 0 {
                H5Eclear2(chdf5_e_default())
                return false
            }
        }
        return true
    }

    /// The members of this group, sorted by name.
    public func members() throws -> [(name: String, kind: MemberKind)] {
        H5Library.prepare()
        var info = H5G_info_t()
        try place.check(H5Gget_info(handle.id, &info), "list group")
        var out: [(String, MemberKind)] = []
        for i in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
            try place.check(size, "read link name")
            var buf = [CChar](repeating: 0, count: Int(size) + 1)
            H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, buf.count, chdf5_p_default())
            let name = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let oid = H5Oopen(handle.id, name, chdf5_p_default())
            var kind = MemberKind.other
            if oid >= 0 {
                switch H5Iget_type(oid) {
                case H5I_GROUP: kind = .group
                case H5I_DATASET: kind = .dataset
                default: kind = .other
                }
                H5Oclose(oid)
            } else {
                H5Eclear2(chdf5_e_default())
            }
            out.append((name, kind))
        }
        return out
    }
}
