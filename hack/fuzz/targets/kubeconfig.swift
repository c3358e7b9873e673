// Kubeconfig and YAML text: KubeClientConfiguration.fromKubeconfig(text:) (Yams' YAMLDecoder into KubeConfig, then
// the context/cluster/user resolution) and PacerCore's YAML.documents / YAML.document (Yams' composer into
// JSONValue), which read the chart values and the CRD/example manifests.
import KubeClient
import PacerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // A directory that does not exist: relative file references fail to read instead of touching real files.
    _ = try? KubeClientConfiguration.fromKubeconfig(text: text, baseDirectory: "/nonexistent-fuzz-dir")
    _ = try? KubeClientConfiguration.fromKubeconfig(text: text, context: "fuzz", baseDirectory: "/nonexistent-fuzz-dir")
    if let documents = try? YAML.documents(text) {
        for document in documents { _ = document.jsonBytes() }
    }
    _ = try? YAML.document(text)
    return 0
}
