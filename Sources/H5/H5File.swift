import Foundation
@preconcurrency import CHDF5

/// An HDF5 file; also its root group `/`.
public final class H5File: H5Group {
    /// Creates a file. With `overwrite: false`, an existing file is an error instead of being truncated.
    public static func create(_ path: String, overwrite: Bool = true) throws -> H5File {
        H5Library.prepare()
        if !overwrite && FileManager.default.fileExists(atPath: path) { throw H5Error.fileExists(file: path) }
        let fcpl = untimedCreationList(H5P_CLS_FILE_CREATE_ID_g)
        let id = H5Fcreate(path, overwrite ? chdf5_acc_trunc() : chdf5_acc_excl(), fcpl.id, chdf5_p_default())
        try H5Place(file: path, object: "/").check(id, "create file")
        return H5File(id: id, path: path)
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> H5File {
        H5Library.prepare()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw H5Error.fileNotFound(file: path)
        }
        guard H5Fis_hdf5(path) > 0 else {
            H5Eclear2(chdf5_e_default())
            throw H5Error.notHDF5(file: path)
        }
        let id = H5Fopen(path, writable ? chdf5_acc_rdwr() : chdf5_acc_rdonly(), chdf5_p_default())
        try H5Place(file: path, object: "/").check(id, "open file")
        return H5File(id: id, path: path)
    }

    private init(id: hid_t, path: String) {
        super.init(handle: H5Handle(id, closer: H5Fclose), place: H5Place(file: path, object: "/"), owner: nil)
    }

    /// Writes everything buffered to the operating system.
    public func flush() throws {
        H5Library.prepare()
        try place.check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), "flush")
    }

    /// Flushes and closes the file. Groups and datasets still held keep HDF5's file open until they
    /// go, but everything written so far is in the file.
    public func close() throws {
        try flush()
        try place.check(handle.close(), "close file")
    }
}
