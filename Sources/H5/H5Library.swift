@preconcurrency import CHDF5
import Foundation

/// Process-wide HDF5 set-up and the small helpers every H5 call goes through.
enum H5Library {
    /// Opens the library once (the `*_g` type globals are valid only after `H5open`).
    private static let opened: Void = { _ = H5open() }()

    /// Call before any HDF5 operation from the current thread: opens the library and silences
    /// HDF5's own stderr error printing (the error stack is per thread in the thread-safe build);
    /// failures are reported as `H5Error`s carrying the stack's messages instead.
    static func prepare() {
        _ = opened
        H5Eset_auto2(chdf5_e_default(), nil, nil)
    }

    /// The first three messages on the current thread's HDF5 error stack (the API call first, then the
    /// layers below it), then clears the stack.
    static func takeErrorStack() -> String {
        final class Box { var lines: [String] = [] }
        let box = Box()
        let walker: H5E_walk2_t = { _, err, data in
            guard let err, let data else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
            let fn = err.pointee.func_name.map { String(cString: $0) } ?? "?"
            let desc = (err.pointee.desc.map { String(cString: $0) } ?? "")
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            box.lines.append("\(fn): \(desc)")
            return 0
        }
        withExtendedLifetime(box) {
            _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(box).toOpaque())
        }
        H5Eclear2(chdf5_e_default())
        return box.lines.prefix(3).joined(separator: "; ")
    }
}

/// An owned HDF5 identifier, closed exactly once: by `close()` or when the last reference goes.
public final class H5Handle: @unchecked Sendable {
    let id: hid_t
    private let closer: (hid_t) -> herr_t
    private var isOpen = true

    init(_ id: hid_t, closer: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.closer = closer
    }

    /// Closes now; returns HDF5's status (negative on failure). Later calls do nothing.
    @discardableResult
    func close() -> herr_t {
        guard isOpen else { return 0 }
        isOpen = false
        H5Library.prepare()
        return closer(id)
    }

    deinit { close() }

    static func dataspace(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Sclose) }
    static func datatype(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Tclose) }
    static func plist(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Pclose) }
}

/// Where an operation happened, for error messages: the file and the object path inside it.
struct H5Place: Sendable {
    let file: String
    let object: String

    func child(_ name: String) -> H5Place {
        H5Place(file: file, object: name.hasPrefix("/") ? name : (object == "/" ? "/" + name : object + "/" + name))
    }

    /// Turns a negative HDF5 return value into `H5Error.library`, with HDF5's own message.
    @discardableResult
    func check<T: BinaryInteger>(_ value: T, _ operation: String) throws -> T {
        if value < 0 {
            throw H5Error.library(file: file, object: object, operation: operation, detail: H5Library.takeErrorStack())
        }
        return value
    }
}
