import Hummingbird
import NIOCore
import NIOSSL

/// The request context of kube-sim: Hummingbird's core storage plus the connection, to read the client
/// certificate a TLS peer presented.
struct KubeSimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The DER bytes of the client certificate (already verified against kube-sim's CA by the TLS handshake), if any.
    func peerCertificateDER() async -> [UInt8]? {
        let channel = self.channel
        return try? await channel.eventLoop.submit { () -> [UInt8]? in
            try channel.pipeline.syncOperations.handler(type: NIOSSLHandler.self).peerCertificate?.toDERBytes()
        }.get()
    }
}
