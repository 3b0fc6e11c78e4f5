import Glibc

/// An advisory `flock(2)` on a lock file. The kernel drops it when the holder dies, so a killed
/// process never leaves a lock that blocks anyone; the file itself is removed on `release()` (and a
/// stale one by `CacheLayout.removeStaleFiles`).
public final class FileLock {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock without waiting; nil when another process holds it.
    public static func tryAcquire(_ path: String) throws -> FileLock? {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw PipelineError.io(path: path, detail: "cannot open lock file: \(errnoText())") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                close(fd)
                if errno == EWOULDBLOCK { return nil }
                throw PipelineError.io(path: path, detail: "flock failed: \(errnoText())")
            }
            // A holder that released just now may have unlinked this path: then our lock is on an
            // orphaned inode and a newcomer could lock a fresh file. Retry until path and fd agree.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                return FileLock(path: path, fd: fd)
            }
            close(fd)
        }
    }

    /// Whether a live process holds the lock at `path` (a leftover file nobody holds does not count, and is removed).
    public static func isHeld(_ path: String) -> Bool {
        guard access(path, F_OK) == 0 else { return false }
        switch Result(catching: { try tryAcquire(path) }) {
        case .success(let lock?): lock.release(); return false
        case .success(nil): return true
        case .failure: return false
        }
    }

    /// Removes the lock file and drops the lock.
    public func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

func errnoText() -> String { String(cString: strerror(errno)) }
