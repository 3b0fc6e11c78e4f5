@preconcurrency import CHDF5

/// Anything that carries attributes: a file (its root group), a group or a dataset.
public class H5Node {
    let handle: H5Handle
    let place: H5Place
    /// Keeps the file object (and so its id) alive while this node is in use.
    let owner: H5File?

    init(handle: H5Handle, place: H5Place, owner: H5File?) {
        self.handle = handle
        self.place = place
        self.owner = owner
    }

    /// The file this node lives in.
    public var filePath: String { place.file }
    /// The node's path inside the file, e.g. `/params/embed.W`.
    public var path: String { place.object }
}

/// Object-creation settings shared by groups and datasets: no modification times in object
/// headers, so writing the same content twice gives byte-identical files.
func untimedCreationList(_ cls: hid_t) -> H5Handle {
    let p = H5Handle.plist(H5Pcreate(cls))
    H5Pset_obj_track_times(p.id, false)
    return p
}
