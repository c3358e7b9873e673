import Foundation

/// What tells a file's content changed without reading it: where the path finally leads (every symbolic link
/// followed) and that file's inode, size and modification time.
///
/// A mounted Kubernetes Secret is rotated by swapping a symlink one level up (`tls.crt` → `..data/tls.crt`,
/// `..data` → `..2026_12_02_…`): the path's own link never changes, so the links are resolved all the way and the
/// file they reach is compared.
public struct FileSignature: Equatable, Sendable {
    public var resolvedPath: String
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int
    public var modifiedNanoseconds: Int

    /// The signature of the file `path` leads to now; nil when it cannot be reached.
    public init?(path: String) {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return nil }
        resolvedPath = String(cString: resolved)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
