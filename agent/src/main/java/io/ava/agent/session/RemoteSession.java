package io.ava.agent.session;

import io.ava.proto.AvaSessionGrpc;
import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.CallBatch;
import io.ava.proto.ClientMessage;
import io.ava.proto.Hello;
import io.ava.proto.Reply;
import io.ava.proto.ServerMessage;
import io.ava.agent.marshal.HostMemory;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's one bidirectional stream to its server. Asynchronous calls are queued and sent
 * together (at the next synchronous call, when the queue is long, or after a short delay);
 * a synchronous call flushes the queue with it and waits for its own reply.
 */
public final class RemoteSession {
    /** Calls packed into one message at most. */
    private static final int MAX_BATCH = 256;
    /** How long an async call may wait for company before it is sent alone. */
    private static final long FLUSH_DELAY_NANOS = 200_000;
    private static final int CHUNK = 1 << 20;
    /** HTTP/2 window: several chunks in flight, so bulk transfers are not stop-and-wait. */
    private static final int FLOW_WINDOW = 16 << 20;

    private final String target;
    private final ManagedChannel channel;
    private final ClientCallStreamObserver<ClientMessage> stream;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private final List<Call> queued = new ArrayList<>();
    private final Thread flusher;
    private final AsyncFailures asyncFailures;
    private volatile Throwable broken;
    private volatile String sessionId;
    private final CompletableFuture<io.ava.proto.Welcome> welcome = new CompletableFuture<>();
    private volatile BulkChannel bulkChannel;

    /** A call waiting for its reply, and where its bulk output goes. */
    public static final class Pending {
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        final HostMemory.Region[] outRegions;
        private final Map<Integer, CompletableFuture<Void>> bulk = new ConcurrentHashMap<>();

        public Pending(HostMemory.Region[] outRegions) {
            this.outRegions = outRegions;
        }

        /** Completes once the bytes of output {@code arg} are in the application's memory. */
        CompletableFuture<Void> bulkDone(int arg) {
            return bulk.computeIfAbsent(arg, a -> new CompletableFuture<>());
        }

        /** For non-blocking transfers: the server's word that the driver finished, with the final status. */
        final CompletableFuture<io.ava.proto.TransferDone> transfer = new CompletableFuture<>();
    }

    /** Told about callbacks the server pushes. */
    public interface PushListener {
        void callback(io.ava.proto.CallbackPush push);
    }

    /** Told about async calls the server failed although the agent predicted success. */
    public interface AsyncFailures {
        void failed(Reply reply);
    }

    private volatile PushListener pushListener = p -> { };
    /** Non-blocking transfers whose bytes the server sends when the driver completes them. */
    private final Map<Long, Pending> transfers = new ConcurrentHashMap<>();

    public void onPush(PushListener listener) {
        this.pushListener = listener;
    }

    private RemoteSession(String target, AsyncFailures asyncFailures) {
        this.target = target;
        this.asyncFailures = asyncFailures;
        this.channel = NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor()
                .flowControlWindow(FLOW_WINDOW).maxInboundMessageSize(8 << 20).build();
        ClientResponseObserver<ClientMessage, ServerMessage> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
                requestStream.setOnReadyHandler(() -> {
                    synchronized (sendLock) {
                        sendLock.notifyAll();
                    }
                });
            }

            @Override
            public void onNext(ServerMessage m) {
                receive(m);
            }

            @Override
            public void onError(Throwable t) {
                fail(t);
            }

            @Override
            public void onCompleted() {
                fail(Status.UNAVAILABLE.withDescription("the server closed the session").asRuntimeException());
            }
        };
        this.stream = (ClientCallStreamObserver<ClientMessage>) AvaSessionGrpc.newStub(channel).session(observer);
        this.flusher = new Thread(this::flushLoop, "ava-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    /** Opens a session; fails within the timeout when the server cannot be reached. */
    public static RemoteSession open(String target, String specDigest, String clientName, AsyncFailures failures)
            throws SessionException {
        RemoteSession s = new RemoteSession(target, failures);
        synchronized (s.sendLock) {
            s.stream.onNext(ClientMessage.newBuilder().setHello(Hello.newBuilder().setSpecDigest(specDigest)
                    .setClientName(clientName)).build());
        }
        try {
            io.ava.proto.Welcome w = s.welcome.get(15, TimeUnit.SECONDS);
            s.sessionId = w.getSessionId();
            s.openBulk(w);
            return s;
        } catch (ExecutionException e) {
            s.close();
            throw new SessionException(describe(e.getCause()));
        } catch (TimeoutException e) {
            s.close();
            throw new SessionException("no answer within 15 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new SessionException("interrupted");
        }
    }

    public String target() {
        return target;
    }

    public String sessionId() {
        return sessionId;
    }

    /** Queues a call whose reply the caller does not wait for. */
    public void sendAsync(Call call) throws SessionException {
        checkBroken();
        boolean wake;
        synchronized (sendLock) {
            queued.add(call);
            wake = queued.size() == 1;
            if (queued.size() >= MAX_BATCH) {
                flushLocked();
                wake = false;
            }
        }
        if (wake) {
            LockSupport.unpark(flusher);
        }
    }

    /** Sends a call (after any queued ones and its bulk input) and waits for its reply. */
    public Reply call(Call call, List<BulkIn> bulkIn, Pending p) throws SessionException {
        return call(call, bulkIn, p, false);
    }

    /**
     * As {@link #call(Call, List, Pending)}; with {@code transfer} the call starts a non-blocking
     * transfer whose bytes arrive later: it stays registered until they have landed.
     */
    public Reply call(Call call, List<BulkIn> bulkIn, Pending p, boolean transfer) throws SessionException {
        checkBroken();
        pending.put(call.getCallId(), p);
        if (transfer) {
            transfers.put(call.getCallId(), p);
        }
        synchronized (sendLock) {
            flushLocked();
            for (BulkIn b : bulkIn) {
                if (sendOnSideChannel(call.getCallId(), b)) {
                    continue;
                }
                for (long off = 0; off < b.size(); off += CHUNK) {
                    int len = (int) Math.min(CHUNK, b.size() - off);
                    awaitReady();
                    stream.onNext(ClientMessage.newBuilder().setChunk(BulkChunk.newBuilder().setCallId(call.getCallId())
                            .setArg(b.arg()).setOffset(off).setTotal(b.size()).setData(b.region().read(off, len))
                            .setLast(off + len == b.size())).build());
                }
            }
            queued.add(call);
            flushLocked();
        }
        try {
            Reply r = p.future.get();
            for (Map.Entry<Integer, io.ava.proto.Value> out : r.getOutputsMap().entrySet()) {
                if (out.getValue().hasBulkSize()) {
                    p.bulkDone(out.getKey()).get(60, TimeUnit.SECONDS);
                }
            }
            if (transfer && r.getResult() != 0) {
                transfers.remove(call.getCallId());
            }
            settleTransfers();
            return r;
        } catch (TimeoutException e) {
            throw new SessionException("bulk output did not arrive");
        } catch (ExecutionException e) {
            throw new SessionException(describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionException("interrupted while waiting for the server");
        } finally {
            if (!transfers.containsKey(call.getCallId())) {
                pending.remove(call.getCallId());
            }
        }
    }

    /**
     * Waits until the bytes of every transfer the server reported complete are in the
     * application's memory. The server reports completed transfers before any reply or callback
     * that could reveal the completion, so calling this then makes the data visible in time.
     */
    public void settleTransfers() throws SessionException {
        for (Map.Entry<Long, Pending> e : transfers.entrySet()) {
            Pending p = e.getValue();
            io.ava.proto.TransferDone t = p.transfer.getNow(null);
            if (t == null || !p.future.isDone()) {
                // not finished, or the call that started it is still waiting for its own reply
                continue;
            }
            landed(e.getKey(), p, t);
        }
    }

    /** Waits for the bytes of one transfer (a blocking call that must see them, an unmap). */
    public void awaitTransfer(long callId) throws SessionException {
        Pending p = transfers.get(callId);
        if (p == null) {
            return;
        }
        landed(callId, p, null);
    }

    /** Waits until a transfer's bytes are in the application's memory, then forgets the transfer. */
    private void landed(long callId, Pending p, io.ava.proto.TransferDone known) throws SessionException {
        try {
            io.ava.proto.TransferDone t = known != null ? known : p.transfer.get(600, TimeUnit.SECONDS);
            if (t.getBulkSize() > 0) {
                p.bulkDone(t.getArg()).get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SessionException("interrupted while waiting for transferred data");
        } catch (ExecutionException | TimeoutException ex) {
            throw new SessionException("transferred data did not arrive");
        }
        transfers.remove(callId);
        pending.remove(callId);
    }

    private void openBulk(io.ava.proto.Welcome w) {
        if (w.getBulkPort() == 0) {
            return;
        }
        String host = target.contains(":") ? target.substring(0, target.lastIndexOf(':')) : target;
        try {
            bulkChannel = BulkChannel.open(host, w.getBulkPort(), w.getBulkToken().toByteArray(), pending::get);
        } catch (java.io.IOException e) {
            System.err.println("ava: bulk side channel to " + host + ":" + w.getBulkPort() + " unavailable ("
                    + e.getMessage() + "); large buffers go through gRPC");
        }
    }

    private boolean sendOnSideChannel(long callId, BulkIn b) {
        BulkChannel side = bulkChannel;
        if (side == null || !side.isOpen()) {
            return false;
        }
        try {
            side.send(callId, b.arg(), b.region(), b.size());
            return true;
        } catch (java.io.IOException e) {
            bulkChannel = null;
            side.close();
            throw new IllegalStateException("ava: bulk side channel failed mid-transfer: " + e.getMessage(), e);
        }
    }

    /** Sends whatever is queued now (clFlush, exit). */
    public void flush() {
        synchronized (sendLock) {
            flushLocked();
        }
    }

    private void flushLocked() {
        if (queued.isEmpty() || broken != null) {
            queued.clear();
            return;
        }
        awaitReady();
        stream.onNext(ClientMessage.newBuilder().setCalls(CallBatch.newBuilder().addAllCalls(queued)).build());
        queued.clear();
    }

    /** gRPC flow control: hold the sender while the transport's buffer is full. */
    private void awaitReady() {
        while (!stream.isReady() && broken == null) {
            try {
                sendLock.wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void flushLoop() {
        while (broken == null) {
            LockSupport.park();
            LockSupport.parkNanos(FLUSH_DELAY_NANOS);
            flush();
        }
    }

    private void receive(ServerMessage m) {
        switch (m.getKindCase()) {
            case WELCOME:
                welcome.complete(m.getWelcome());
                break;
            case REPLIES:
                for (Reply r : m.getReplies().getRepliesList()) {
                    Pending p = pending.get(r.getCallId());
                    if (p != null) {
                        p.future.complete(r);
                    } else {
                        asyncFailures.failed(r);
                    }
                }
                break;
            case CHUNK: {
                BulkChunk c = m.getChunk();
                Pending p = pending.get(c.getCallId());
                if (p != null && p.outRegions != null && c.getArg() < p.outRegions.length && p.outRegions[c.getArg()] != null) {
                    p.outRegions[c.getArg()].write(c.getOffset(), c.getData());
                }
                if (p != null && c.getLast()) {
                    p.bulkDone(c.getArg()).complete(null);
                }
                break;
            }
            case PUSH:
                if (m.getPush().hasTransfer()) {
                    io.ava.proto.TransferDone t = m.getPush().getTransfer();
                    Pending p = transfers.get(t.getCallId());
                    if (p != null) {
                        if (!t.getData().isEmpty() && t.getArg() < p.outRegions.length && p.outRegions[t.getArg()] != null) {
                            p.outRegions[t.getArg()].write(0, t.getData());
                        }
                        p.transfer.complete(t);
                    }
                } else if (m.getPush().hasCallback()) {
                    pushListener.callback(m.getPush().getCallback());
                }
                break;
            default:
                break;
        }
    }

    private void fail(Throwable t) {
        if (broken == null) {
            broken = t;
        }
        welcome.completeExceptionally(t);
        for (Pending p : pending.values()) {
            p.future.completeExceptionally(t);
            p.transfer.completeExceptionally(t);
        }
        synchronized (sendLock) {
            sendLock.notifyAll();
        }
        LockSupport.unpark(flusher);
    }

    private void checkBroken() throws SessionException {
        Throwable t = broken;
        if (t != null) {
            throw new SessionException(describe(t));
        }
    }

    public boolean isBroken() {
        return broken != null;
    }

    /** Ends the session: the server releases everything it still holds for it. */
    public void close() {
        try {
            flush();
            synchronized (sendLock) {
                if (broken == null) {
                    stream.onCompleted();
                }
            }
        } catch (RuntimeException ignored) {
            // closing a broken stream
        }
        BulkChannel side = bulkChannel;
        if (side != null) {
            side.close();
        }
        channel.shutdown();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.shutdownNow();
    }

    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        String d = s.getDescription();
        Throwable cause = s.getCause();
        if (d == null && cause != null) {
            d = cause.getMessage();
        }
        return s.getCode() + (d != null ? ": " + d : "");
    }

    /** Input bytes too large to travel inside the call: sent ahead of it in chunks. */
    public record BulkIn(int arg, HostMemory.Region region, long size) {
    }
}
