import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The demo's private folder (embedded PostgreSQL's data, kube-sim's kubeconfig), removed on every exit path.
enum DemoTemporaryDirectory {
    /// A fresh `pacer-demo-XXXXXX` folder under the system's temporary directory (mkdtemp: unique and private).
    static func make() throws -> String {
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((temporary + "pacer-demo-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw DemoError("cannot create a temporary folder in \(NSTemporaryDirectory())")
        }
        return String(cString: created)
    }
}
