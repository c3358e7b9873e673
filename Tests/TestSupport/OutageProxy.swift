import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy in front of the test database that can cut the network: `cut()` closes every open connection and
/// refuses new ones (as a database host that went away), `restore()` lets connections through again.
///
/// Tests point Pacer at `port` to check that it answers 503 while the database is unreachable and recovers by
/// itself, without stopping the shared PostgreSQL other tests use.
public final class OutageProxy: Sendable {
    private let target: (host: String, port: Int)
    private let state = Mutex<(open: Bool, channels: [any Channel], refused: Int)>((true, [], 0))
    private let server: any Channel
    public var port: Int { server.localAddress?.port ?? 0 }
    /// Connections refused while cut: a positive sign that a client met the outage (tests wait for it instead of
    /// sleeping through a guessed interval).
    public var refusedConnections: Int { state.withLock { $0.refused } }

    public init(targetHost: String, targetPort: Int) async throws {
        target = (targetHost, targetPort)
        let box = ProxyBox()
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard let proxy = box.proxy else { return inbound.close() }
                return proxy.accept(inbound)
            }
            .bind(host: "127.0.0.1", port: 0).get()
        box.proxy = self
    }

    /// Drops every connection and refuses new ones until `restore()`.
    public func cut() {
        let channels = state.withLock { state -> [any Channel] in
            state.open = false
            defer { state.channels = [] }
            return state.channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    public func restore() {
        state.withLock { $0.open = true }
    }

    public func shutdown() async {
        cut()
        try? await server.close()
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let open = state.withLock { state -> Bool in
            if !state.open { state.refused += 1 }
            return state.open
        }
        guard open else { return inbound.close() }
        return ClientBootstrap(group: inbound.eventLoop)
            .connect(host: target.host, port: target.port)
            .flatMap { outbound in
                let registered = self.state.withLock { state -> Bool in
                    guard state.open else { return false }
                    state.channels.append(contentsOf: [inbound, outbound])
                    return true
                }
                guard registered else {
                    outbound.close(promise: nil)
                    return inbound.close()
                }
                return inbound.pipeline.addHandler(Relay(peer: outbound)).flatMap {
                    outbound.pipeline.addHandler(Relay(peer: inbound))
                }
            }
    }
}

private final class ProxyBox: @unchecked Sendable {
    // Set once before the first connection can be accepted.
    var proxy: OutageProxy?
}

/// Copies bytes to the peer channel and closes the peer when this side closes.
private final class Relay: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let peer: any Channel
    init(peer: any Channel) { self.peer = peer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
