import H5

/// Root attributes every cache file carries (design.md §3). `created` is left out of the checksum,
/// so a recomputed or resumed result has the same checksum as the first one.
public enum ProvenanceAttribute {
    public static let stage = "stage", kind = "kind", key = "key", params = "params", inputs = "inputs"
    public static let codeVersion = "code_version", created = "created", checksum = "checksum"
    static let checksummed = [stage, kind, key, params, inputs, codeVersion]
}

/// SHA-256 over a file's content: every dataset (sorted path, element type, shape, stored bytes) and
/// the provenance attributes except `created` and `checksum`.
public func contentChecksum(of file: H5File) throws -> String {
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
