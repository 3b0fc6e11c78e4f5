import CLapack

/// OpenBLAS's thread pool. Parallel stage processes run with one thread each (`OPENBLAS_NUM_THREADS=1`
/// in their environment, or `BLASThreads.set(1)`): two 1-thread processes beat one 2-thread process.
public enum BLASThreads {
    /// Threads OpenBLAS uses now.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Sets the thread count (OpenBLAS clamps it to the available cores).
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(Swift.max(1, n))) }

    /// OpenBLAS's build description (version, kernel, thread limit).
    public static var configuration: String { String(cString: openblas_get_config()) }
}
