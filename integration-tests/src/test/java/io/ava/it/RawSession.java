package io.ava.it;

import io.ava.proto.AvaSessionGrpc;
import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.CallBatch;
import io.ava.proto.ClientMessage;
import io.ava.proto.Hello;
import io.ava.proto.Reply;
import io.ava.proto.ServerMessage;
import io.ava.proto.Welcome;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A session on the raw gRPC API, without the agent: Hello with the spec digest, then call batches and bulk
 * chunks exactly as built by the caller. Replies are matched to calls by id; pushes and output chunks are
 * counted and dropped. The bulk side channel is never opened (output bytes come as chunks instead).
 */
final class RawSession implements AutoCloseable {
    private final ManagedChannel channel;
    private final StreamObserver<ClientMessage> stream;
    private final CompletableFuture<Welcome> welcome = new CompletableFuture<>();
    private final Map<Long, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    /** replies to async calls (their failures) and to calls nobody waits for */
    final AtomicLong unexpectedReplies = new AtomicLong();
    final AtomicLong pushes = new AtomicLong();
    final AtomicLong chunks = new AtomicLong();
    /** why the stream ended, if it did */
    final AtomicReference<Throwable> ended = new AtomicReference<>();

    RawSession(String address, String specDigest, String name) throws Exception {
        channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
            .maxInboundMessageSize(64 << 20).build();
        stream = AvaSessionGrpc.newStub(channel).session(new StreamObserver<>() {
            @Override
            public void onNext(ServerMessage m) {
                switch (m.getKindCase()) {
                    case WELCOME -> welcome.complete(m.getWelcome());
                    case REPLIES -> {
                        for (Reply r : m.getReplies().getRepliesList()) {
                            CompletableFuture<Reply> f = waiting.remove(r.getCallId());
                            if (f != null) {
                                f.complete(r);
                            } else {
                                unexpectedReplies.incrementAndGet();
                            }
                        }
                    }
                    case PUSH -> pushes.incrementAndGet();
                    case CHUNK -> chunks.incrementAndGet();
                    default -> { }
                }
            }

            @Override
            public void onError(Throwable t) {
                end(t);
            }

            @Override
            public void onCompleted() {
                end(new IllegalStateException("the server completed the stream"));
            }
        });
        synchronized (this) {
            stream.onNext(ClientMessage.newBuilder().setHello(Hello.newBuilder().setSpecDigest(specDigest).setClientName(name)).build());
        }
        welcome.get(15, TimeUnit.SECONDS);
    }

    private void end(Throwable t) {
        ended.compareAndSet(null, t);
        welcome.completeExceptionally(t);
        waiting.values().forEach(f -> f.completeExceptionally(t));
    }

    /** Sends the calls in one message; the futures of the calls that are not async complete with their replies. */
    synchronized List<CompletableFuture<Reply>> send(List<Call> calls) {
        List<CompletableFuture<Reply>> futures = new java.util.ArrayList<>();
        for (Call c : calls) {
            CompletableFuture<Reply> f = new CompletableFuture<>();
            if (!c.getAsync()) {
                waiting.put(c.getCallId(), f);
                futures.add(f);
            }
        }
        stream.onNext(ClientMessage.newBuilder().setCalls(CallBatch.newBuilder().addAllCalls(calls)).build());
        Throwable t = ended.get();
        if (t != null) {
            futures.forEach(f -> f.completeExceptionally(t));
        }
        return futures;
    }

    synchronized void chunk(BulkChunk c) {
        stream.onNext(ClientMessage.newBuilder().setChunk(c).build());
    }

    /** One sync call, its reply within 30 s. */
    Reply call(Call c) throws Exception {
        return send(List.of(c)).get(0).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                stream.onCompleted();
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
