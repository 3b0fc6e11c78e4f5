import H5

/// Root attributes every cache file carries (the architecture notes, design §3). `created` is left out of the checksum,
/// so a recomputed or resumed result has the same checksum as the first one.
public enum ProvenanceAttribute {
    /// `computed_by`: the stage instance that computed the result. A key does not depend on stage or
    /// manifest names, so the same file serves every instance with its key (`cellfree path` lists a
    /// manifest's); files written before carry `stage` with the same value.
    public static let computedBy = "computed_by", stage = "stage"
    public static let kind = "kind", key = "key", params = "params", inputs = "inputs"
    public static let codeVersion = "code_version", created = "created", checksum = "checksum"
    /// What the first checksum (`storedBytesChecksum`) covers, where present.
    static let checksummed = [stage, computedBy, kind, key, params, inputs, codeVersion]
    /// Every provenance attribute: a file with any of them is a cache file.
    public static let all = checksummed + [created, checksum]
}

/// The tag of checksums over what a reader sees (`contentChecksum`); a stored checksum without it is
/// of the first kind (`storedBytesChecksum`), which files written before it still carry.
let readerChecksumTag = "v2:"

/// SHA-256 over what a reader of the file sees (`H5Group.canonicalContent`): every comment and attribute
/// of every object but the root's `checksum` (and of `created` only that it exists), and every dataset's full datatype, shape and values
/// as read natively. Tagged `v2:`.
public func contentChecksum(of file: H5File) throws -> String {
    var h = SHA256Hasher()
    try file.canonicalContent(skippingAttributes: [ProvenanceAttribute.checksum], presenceOnly: [ProvenanceAttribute.created]) { label, bytes in
        h.update(label + "\u{0}")
        h.update(bytes)
    }
    return readerChecksumTag + h.hexDigest()
}

/// Whether `stored` is `file`'s checksum, by the kind of checksum `stored` is; also the one computed.
/// The checksum attribute itself is left out of what it covers, so its own datatype must be the one it is
/// written with.
public func checksumVerifies(_ stored: String, of file: H5File) throws -> (verifies: Bool, computed: String) {
    if stored.hasPrefix(readerChecksumTag), file.attributeTypeSignature(ProvenanceAttribute.checksum) != writtenStringTypeSignature {
        return (false, "(the checksum attribute's datatype was altered)")
    }
    let computed = stored.hasPrefix(readerChecksumTag) ? try contentChecksum(of: file) : try storedBytesChecksum(of: file)
    return (stored == computed, computed)
}

/// The first checksum (files written before `v2:`): SHA-256 over every dataset's path, type name, shape
/// and stored bytes, and the provenance attributes. It misses datatype fields and other attributes.
func storedBytesChecksum(of file: H5File) throws -> String {
    var h = SHA256Hasher()
    for path in try file.datasetPaths() {
        let d = try file.dataset(path)
        h.update("dataset\u{0}\(path)\u{0}\(d.typeDescription)\u{0}\(d.shape)\u{0}")
        h.update(try d.rawBytes())
    }
    for name in ProvenanceAttribute.checksummed where file.hasAttribute(name) {
        h.update("attribute\u{0}\(name)\u{0}\(try file.stringAttribute(name))\u{0}")
    }
    return h.hexDigest()
}
