@preconcurrency import CHDF5
@_exported import ComplexModule
import RealModule

/// An element type that datasets and attributes store: Float32/64, Int8/UInt8/Int32/Int64, and complex
/// numbers as the compound `{r, i}` that h5py writes (reading also accepts Octave's `{real, imag}`).
/// Reads are strict: the stored type must have the same class, size and signedness.
public protocol H5Element: Sendable {
    /// The numpy name of the type (`float64`, `complex128`, …), used in messages.
    static var typeName: String { get }
    /// A new datatype used both in memory and in the file when writing.
    static func makeType() -> H5Handle
    /// The memory type for reading data stored as `fileType`, or nil if the two do not match.
    static func readType(for fileType: hid_t) -> H5Handle?
    /// Any value, to size buffers before a read fills them.
    static var placeholder: Self { get }
}

/// Native numeric types: one predefined HDF5 type each.
public protocol H5NativeElement: H5Element {
    static var nativeType: hid_t { get }
    static var typeClass: H5T_class_t { get }
    static var isSigned: Bool { get }
}


extension H5NativeElement {
    public static func makeType() -> H5Handle { .datatype(H5Tcopy(nativeType)) }
    public static func readType(for fileType: hid_t) -> H5Handle? {
        guard H5Tget_class(fileType) == typeClass, H5Tget_size(fileType) == MemoryLayout<Self>.size else { return nil }
        if typeClass == H5T_INTEGER && (H5Tget_sign(fileType) == H5T_SGN_2) != isSigned { return nil }
        return makeType()
    }
}

extension Float: H5NativeElement {
    public static var typeName: String { "float32" }
    public static var nativeType: hid_t { chdf5_native_float() }
    public static var typeClass: H5T_class_t { H5T_FLOAT }
    public static var isSigned: Bool { true }
    public static var placeholder: Float { 0 }
}
extension Double: H5NativeElement {
    public static var typeName: String { "float64" }
    public static var nativeType: hid_t { chdf5_native_double() }
    public static var typeClass: H5T_class_t { H5T_FLOAT }
    public static var isSigned: Bool { true }
    public static var placeholder: Double { 0 }
}
extension Int8: H5NativeElement {
    public static var typeName: String { "int8" }
    public static var nativeType: hid_t { chdf5_native_int8() }
    public static var typeClass: H5T_class_t { H5T_INTEGER }
    public static var isSigned: Bool { true }
    public static var placeholder: Int8 { 0 }
}
extension UInt8: H5NativeElement {
    public static var typeName: String { "uint8" }
    public static var nativeType: hid_t { chdf5_native_uint8() }
    public static var typeClass: H5T_class_t { H5T_INTEGER }
    public static var isSigned: Bool { false }
    public static var placeholder: UInt8 { 0 }
}
extension Int32: H5NativeElement {
    public static var typeName: String { "int32" }
    public static var nativeType: hid_t { chdf5_native_int32() }
    public static var typeClass: H5T_class_t { H5T_INTEGER }
    public static var isSigned: Bool { true }
    public static var placeholder: Int32 { 0 }
}
extension Int64: H5NativeElement {
    public static var typeName: String { "int64" }
    public static var nativeType: hid_t { chdf5_native_int64() }
    public static var typeClass: H5T_class_t { H5T_INTEGER }
    public static var isSigned: Bool { true }
    public static var placeholder: Int64 { 0 }
}

/// The real part types a complex element can have.
public protocol H5ComplexComponent: H5NativeElement, Real {}
extension Float: H5ComplexComponent {}
extension Double: H5ComplexComponent {}

extension Complex: H5Element where RealType: H5ComplexComponent {
    public static var typeName: String { RealType.self == Float.self ? "complex64" : "complex128" }
    public static var placeholder: Complex { .zero }

    /// Compound {re, im} with the given member names (the conversion path matches members by name).
    static func compound(_ re: String, _ im: String) -> H5Handle {
        let s = MemoryLayout<RealType>.size
        let t = H5Tcreate(H5T_COMPOUND, 2 * s)
        H5Tinsert(t, re, 0, RealType.nativeType)
        H5Tinsert(t, im, s, RealType.nativeType)
        return .datatype(t)
    }

    /// h5py's layout: `{r, i}`.
    public static func makeType() -> H5Handle { compound("r", "i") }

    public static func readType(for fileType: hid_t) -> H5Handle? {
        guard H5Tget_class(fileType) == H5T_COMPOUND, H5Tget_nmembers(fileType) == 2 else { return nil }
        var names: [String] = []
        for m in 0..<2 {
            let mt = H5Handle.datatype(H5Tget_member_type(fileType, UInt32(m)))
            guard H5Tget_class(mt.id) == H5T_FLOAT, H5Tget_size(mt.id) == MemoryLayout<RealType>.size,
                  let raw = H5Tget_member_name(fileType, UInt32(m)) else { return nil }
            names.append(String(cString: raw))
            H5free_memory(raw)
        }
        guard names == ["r", "i"] || names == ["real", "imag"] else { return nil }
        return compound(names[0], names[1])
    }
}

/// A short description of a stored type, as numpy would name it (for messages and `inspect`).
func describeType(_ t: hid_t) -> String {
    let size = H5Tget_size(t)
    switch H5Tget_class(t) {
    case H5T_FLOAT: return "float\(size * 8)"
    case H5T_INTEGER: return (H5Tget_sign(t) == H5T_SGN_2 ? "int" : "uint") + "\(size * 8)"
    case H5T_STRING: return H5Tis_variable_str(t) > 0 ? "string (variable length)" : "string (\(size) bytes)"
    case H5T_COMPOUND:
        let members = (0..<max(0, H5Tget_nmembers(t))).map { m -> String in
            let mt = H5Handle.datatype(H5Tget_member_type(t, UInt32(m)))
            var name = "?"
            if let raw = H5Tget_member_name(t, UInt32(m)) { name = String(cString: raw); H5free_memory(raw) }
            return "\(name): " + withExtendedLifetime(mt) { describeType(mt.id) }
        }
        return "compound {\(members.joined(separator: ", "))}"
    case H5T_ENUM: return "enum (\(size) bytes)"
    default: return "HDF5 class \(H5Tget_class(t).rawValue) (\(size) bytes)"
    }
}
