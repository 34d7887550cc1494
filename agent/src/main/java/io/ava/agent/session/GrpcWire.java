package io.ava.agent.session;

import io.ava.proto.AvaSessionGrpc;
import io.ava.proto.ClientMessage;
import io.ava.proto.ServerMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.concurrent.TimeUnit;

/** The session stream as a gRPC call (HTTP/2 over Netty), with TLS and the token header when configured. */
final class GrpcWire implements Wire {
    /** HTTP/2 window: several chunks in flight, so bulk transfers are not stop-and-wait. */
    private static final int FLOW_WINDOW = 16 << 20;

    private final ManagedChannel channel;
    private final ClientCallStreamObserver<ClientMessage> stream;

    GrpcWire(String address, io.grpc.ChannelCredentials channelCredentials, Credentials credentials, Inbound inbound) {
        this.channel = NettyChannelBuilder.forTarget(address, channelCredentials).intercept(credentials.interceptors())
                .directExecutor()
                .flowControlWindow(FLOW_WINDOW).maxInboundMessageSize(8 << 20).build();
        ClientResponseObserver<ClientMessage, ServerMessage> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
                requestStream.setOnReadyHandler(inbound::ready);
            }

            @Override
            public void onNext(ServerMessage m) {
                inbound.message(m);
            }

            @Override
            public void onError(Throwable t) {
                inbound.failed(t);
            }

            @Override
            public void onCompleted() {
                inbound.completed();
            }
        };
        this.stream = (ClientCallStreamObserver<ClientMessage>) AvaSessionGrpc.newStub(channel).session(observer);
    }

    @Override
    public void send(ClientMessage m) {
        stream.onNext(m);
    }

    @Override
    public void complete() {
        stream.onCompleted();
    }

    @Override
    public boolean isReady() {
        return stream.isReady();
    }

    @Override
    public String authorization() {
        return ""; // a header on every call (Credentials.interceptors)
    }

    @Override
    public void shutdown() {
        channel.shutdown();
    }

    @Override
    public void awaitTermination(long millis) throws InterruptedException {
        channel.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdownNow() {
        channel.shutdownNow();
    }
}
