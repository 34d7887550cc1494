package io.ava.server.migration;

import io.ava.proto.AvaMigrationGrpc;
import io.ava.proto.MigrationAccepted;
import io.ava.proto.MigrationPacket;
import io.ava.proto.MigrationReply;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The source's stream to a peer's migration port, with gRPC flow control honoured on the way out. */
final class PeerLink implements AutoCloseable {
    private static final long STALL_MILLIS = 60_000;

    private final String target;
    private final ManagedChannel channel;
    private final ClientCallStreamObserver<MigrationPacket> out;
    private final Object ready = new Object();
    final CompletableFuture<MigrationAccepted> accepted = new CompletableFuture<>();
    final CompletableFuture<Void> resumed = new CompletableFuture<>();
    final CompletableFuture<io.ava.proto.ContentChannel> content = new CompletableFuture<>();
    final CompletableFuture<Void> presynced = new CompletableFuture<>();
    private volatile Throwable failure;

    /** Channels to peers, kept: connecting and warming a channel costs more than a small migration. */
    private static final java.util.Map<String, ManagedChannel> CHANNELS = new java.util.concurrent.ConcurrentHashMap<>();

    static ManagedChannel channel(String target) {
        // the source authenticates to its peer as a client would: the same token and TLS files
        io.ava.server.security.Security security = io.ava.server.security.Security.current();
        return CHANNELS.computeIfAbsent(target, t -> {
            io.grpc.ChannelCredentials creds;
            try {
                creds = security.channelCredentials();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot use the TLS files: " + e.getMessage(), e);
            }
            return NettyChannelBuilder.forTarget(t, creds).intercept(security.clientInterceptors()).flowControlWindow(16 << 20)
                    .maxInboundMessageSize(1 << 20).build();
        });
    }

    /** Connects to the default peer ahead of the first migration (if it is not up yet, the migration connects). */
    static void warmUp(String target) {
        channel(target).getState(true);
    }

    private PeerLink(String target) {
        this.target = target;
        this.channel = channel(target);
        ClientResponseObserver<MigrationPacket, MigrationReply> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<MigrationPacket> stream) {
                stream.setOnReadyHandler(() -> {
                    synchronized (ready) {
                        ready.notifyAll();
                    }
                });
            }

            @Override
            public void onNext(MigrationReply r) {
                if (r.getPresynced()) {
                    presynced.complete(null);
                } else if (r.hasContent()) {
                    content.complete(r.getContent());
                } else if (r.hasAccepted()) {
                    accepted.complete(r.getAccepted());
                } else if (r.getResumed()) {
                    resumed.complete(null);
                }
            }

            @Override
            public void onError(Throwable t) {
                failed(t);
            }

            @Override
            public void onCompleted() {
                failed(Status.UNAVAILABLE.withDescription("the peer ended the migration stream").asRuntimeException());
            }
        };
        this.out = (ClientCallStreamObserver<MigrationPacket>) AvaMigrationGrpc.newStub(channel).handover(observer);
    }

    static PeerLink open(String target) {
        return new PeerLink(target);
    }

    private void failed(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        accepted.completeExceptionally(t);
        resumed.completeExceptionally(t);
        content.completeExceptionally(t);
        presynced.completeExceptionally(t);
        synchronized (ready) {
            ready.notifyAll();
        }
    }

    void send(MigrationPacket p) throws MigrationException {
        synchronized (ready) {
            long deadline = System.currentTimeMillis() + STALL_MILLIS;
            while (!out.isReady() && failure == null) {
                if (System.currentTimeMillis() > deadline) {
                    throw new MigrationException("the peer " + target + " took no data for " + STALL_MILLIS / 1000 + " s");
                }
                try {
                    ready.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MigrationException("interrupted");
                }
            }
            check();
            out.onNext(p);
            sentBytes += p.getSerializedSize();
        }
    }

    /** serialized bytes of the packets sent so far (for the metrics) */
    private long sentBytes;

    long sentBytes() {
        synchronized (ready) {
            return sentBytes;
        }
    }

    MigrationAccepted awaitAccepted(long timeoutMillis) throws MigrationException {
        return await(accepted, timeoutMillis, "accept the session");
    }

    void awaitPresynced(long timeoutMillis) throws MigrationException {
        await(presynced, timeoutMillis, "replay the records sent ahead");
    }

    io.ava.proto.ContentChannel awaitContentChannel(long timeoutMillis) throws MigrationException {
        return await(content, timeoutMillis, "open a content channel");
    }

    /** The host part of the peer's address (its content channel listens there too). */
    String host() {
        int colon = target.lastIndexOf(':');
        String h = colon > 0 ? target.substring(0, colon) : target;
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    void awaitResumed(long timeoutMillis) throws MigrationException {
        await(resumed, timeoutMillis, "see the client back");
    }

    private <T> T await(CompletableFuture<T> f, long timeoutMillis, String what) throws MigrationException {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new MigrationException(describe(e.getCause()));
        } catch (TimeoutException e) {
            throw new MigrationException("the peer " + target + " did not " + what + " within " + timeoutMillis / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted");
        }
    }

    private void check() throws MigrationException {
        Throwable t = failure;
        if (t != null) {
            throw new MigrationException(describe(t));
        }
    }

    private String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (s.getCode() == Status.Code.UNAUTHENTICATED) {
            return "the peer at " + target + " refused us: " + s.getDescription() + " (the servers need the same --token-file)";
        }
        if (s.getCode() == Status.Code.UNAVAILABLE && (s.getDescription() == null || s.getDescription().startsWith("io exception"))) {
            return "cannot reach the peer at " + target + (s.getCause() != null ? " (" + s.getCause().getMessage() + ")" : "");
        }
        return "the peer at " + target + " refused: " + (s.getDescription() != null ? s.getDescription() : s.getCode().toString());
    }

    /** Done: the peer has the session and the client is back. */
    void finish() {
        try {
            out.onCompleted();
        } catch (RuntimeException ignored) {
            // already broken
        }
    }

    /** Gives up: the peer discards whatever it built. */
    void abort(String why) {
        try {
            out.cancel(why, null);
        } catch (RuntimeException ignored) {
            // already broken
        }
    }

    /** The stream is over; the channel stays for the next migration to this peer. */
    @Override
    public void close() {
    }
}
