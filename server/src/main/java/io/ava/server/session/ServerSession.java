package io.ava.server.session;

import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.ClientMessage;
import io.ava.proto.ReplyBatch;
import io.ava.proto.ServerMessage;
import io.ava.proto.Welcome;
import io.ava.server.dispatch.Dispatcher;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection. gRPC delivers messages on its own threads, which only hand work on:
 * each application thread of the client gets its own executor here (AvA's shadow threads), so
 * a thread blocked in clWaitForEvents or clFinish never stalls another.
 */
public final class ServerSession implements StreamObserver<ClientMessage>, io.ava.server.dispatch.SessionContext {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final int CHUNK = 1 << 20;

    private final String id;
    private volatile String peer;
    /** the client's stream; null for a session handed over by a peer until its client is back */
    private volatile ServerCallStreamObserver<ServerMessage> out;
    /** guards writes to the client's stream (out changes once, when a handed-over session is resumed) */
    private final Object outLock = new Object();
    private final Dispatcher dispatcher;
    private final SessionRegistry registry;
    private final String specDigest;
    private final HandleTable table = new HandleTable();
    private final Map<Long, ExecutorService> threads = new ConcurrentHashMap<>();
    /** Bulk input by call and argument: filled by gRPC chunks or the side channel, taken by the call. */
    private final Map<Long, CompletableFuture<ByteBuffer>> incoming = new ConcurrentHashMap<>();
    private final Map<Long, ByteBuffer> assembling = new ConcurrentHashMap<>();
    private final BulkListener bulkListener;
    private volatile BulkConnection bulk;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean welcomed;
    private final io.ava.server.dispatch.Transfers transfers = new io.ava.server.dispatch.Transfers(this);

    public ServerSession(String id, String peer, ServerCallStreamObserver<ServerMessage> out, Dispatcher dispatcher,
                  SessionRegistry registry, String specDigest, BulkListener bulkListener) {
        this.recordLog = registry.recording() ? new io.ava.server.replay.RecordLog() : null;
        this.bulkListener = bulkListener;
        this.id = id;
        this.peer = peer;
        this.out = out;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.specDigest = specDigest;
    }

    public String id() {
        return id;
    }

    public String peer() {
        return peer;
    }

    @Override
    public HandleTable table() {
        return table;
    }

    @Override
    public io.ava.server.dispatch.Transfers transfers() {
        return transfers;
    }

    private volatile long lastPrintfLaunch;
    private final io.ava.server.replay.RecordLog recordLog;

    @Override
    public io.ava.server.replay.RecordLog recordLog() {
        return recordLog;
    }

    @Override
    public void printfLaunched() {
        lastPrintfLaunch = System.nanoTime();
    }

    /** When this session last launched a kernel that prints (0: never). */
    long lastPrintfLaunch() {
        return lastPrintfLaunch;
    }

    @Override
    public void push(io.ava.proto.Push p) {
        synchronized (outLock) {
            if (!closed.get()) {
                emit(ServerMessage.newBuilder().setPush(p), null);
            }
        }
    }

    @Override
    public void sendBulk(long callId, int arg, ByteBuffer data) {
        synchronized (outLock) {
            if (retaining() && !closed.get()) {
                // the transfer's buffer goes back to its pool afterwards: keep a copy until the client has it
                ByteBuffer src = data.duplicate();
                src.clear();
                try {
                    ByteBuffer copy = io.ava.server.dispatch.DirectBuffers.SHARED.acquire(src.remaining());
                    copy.put(src).clear();
                    bulkBeforeNext.add(new HeldBulk(callId, arg, copy, true));
                } catch (OutOfMemoryError e) {
                    // the transfer still goes out now; only a reconnect in the next moments would miss it
                    log.warn("session={} call={} event=transfer-not-kept reason=\"{}\"", id, callId, e.getMessage());
                }
            }
            if (live()) {
                writeBulk(callId, arg, data, true);
            }
        }
    }

    // ---------------------------------------------------------------- reconnect
    // With a reconnect grace, a session whose stream breaks (not an orderly end) waits for its client
    // instead of being released. Both directions are counted: the server numbers its replies and
    // pushes (ServerMessage.seq) and keeps each, with the bulk bytes that went before it, until the
    // client acknowledges it (CallBatch.ack); the client counts its call batches and chunks and
    // keeps each until the server's ServerMessage.ack covers it. A reconnecting client says what it
    // has (Hello.received), the server what it has (Welcome.received), and each sends the rest again:
    // no call runs twice and no reply is lost. Calls already received keep running while detached.

    /** Bulk bytes sent ahead of a numbered message (a reply's outputs, a transfer's data). */
    private record HeldBulk(long callId, int arg, ByteBuffer data, boolean pooled) {
    }

    /** A numbered message the client has not acknowledged yet. */
    private record Outbound(long seq, ServerMessage message, java.util.List<HeldBulk> bulk) {
    }

    private final java.util.ArrayDeque<Outbound> unacked = new java.util.ArrayDeque<>();
    private java.util.List<HeldBulk> bulkBeforeNext = new java.util.ArrayList<>();
    private long outSeq;
    /** the client's call batches and chunks received so far */
    private final AtomicLong clientReceived = new AtomicLong();
    private long ackSent;
    private volatile boolean detached;
    private volatile byte[] reconnectToken;
    private java.util.concurrent.ScheduledFuture<?> graceTimer;
    /** side-channel bulk inputs a call has taken, so a reconnecting client is not asked for them again */
    private final java.util.Set<Long> takenBulk = java.util.Collections.newSetFromMap(
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Boolean> e) {
                    return size() > 4096;
                }
            }));

    private boolean retaining() {
        return registry.reconnectGraceMillis() > 0;
    }

    /** Whether the client's stream is there to write to (outLock held). */
    private boolean live() {
        return out != null && !detached && !out.isCancelled();
    }

    /** Numbers a reply or push, keeps it until acknowledged, and writes it if the client is there (outLock held). */
    private void emit(ServerMessage.Builder m, java.util.List<HeldBulk> bulkBefore) {
        ServerMessage msg;
        if (retaining()) {
            java.util.List<HeldBulk> held = bulkBeforeNext;
            if (bulkBefore != null) {
                held.addAll(bulkBefore);
            }
            bulkBeforeNext = new java.util.ArrayList<>();
            msg = m.setSeq(++outSeq).setAck(clientReceived.get()).build();
            unacked.add(new Outbound(outSeq, msg, held));
        } else {
            msg = m.build();
        }
        if (live()) {
            try {
                out.onNext(msg);
            } catch (RuntimeException e) {
                log.debug("session={} event=send-after-cancel", id);
            }
        }
    }

    /** The client has every numbered message up to {@code seq}: forget them. */
    private void acknowledged(long seq) {
        synchronized (outLock) {
            while (!unacked.isEmpty() && unacked.peekFirst().seq() <= seq) {
                for (HeldBulk b : unacked.pollFirst().bulk()) {
                    if (b.pooled()) {
                        io.ava.server.dispatch.DirectBuffers.SHARED.release(b.data());
                    }
                }
            }
        }
    }

    /** The current stream broke: with a grace period the session waits for its client; else it goes. */
    void streamFailed(ServerCallStreamObserver<ServerMessage> from, Throwable t) {
        if (from != out) {
            return; // a stream the client already replaced
        }
        if (retaining() && welcomed && reconnectToken != null && migration() == null && !closed.get()) {
            long grace = registry.reconnectGraceMillis();
            synchronized (outLock) {
                if (from != out || closed.get()) {
                    return;
                }
                detached = true;
                BulkConnection side = bulk;
                bulk = null;
                if (side != null) {
                    side.close();
                }
                if (graceTimer != null) {
                    graceTimer.cancel(false);
                }
                graceTimer = registry.timers().schedule(this::graceExpired, grace, TimeUnit.MILLISECONDS);
            }
            log.info("session={} event=detached client={} reason=\"{}\" grace_ms={}", id, peer, Status.fromThrowable(t).getCode(), grace);
            return;
        }
        onError(t);
    }

    void streamCompleted(ServerCallStreamObserver<ServerMessage> from) {
        if (from != out) {
            try {
                from.onCompleted();
            } catch (RuntimeException ignored) {
                // gone already
            }
            return;
        }
        onCompleted();
    }

    private void graceExpired() {
        synchronized (outLock) {
            if (!detached || closed.get()) {
                return;
            }
        }
        log.info("session={} event=reconnect-expired client={}", id, peer);
        close();
    }

    /** The client of this session came back on a new stream after its connection dropped. */
    boolean reattach(io.ava.proto.Hello hello, ServerCallStreamObserver<ServerMessage> stream, String client) {
        int resent = 0;
        synchronized (outLock) {
            if (closed.get() || !hello.getSpecDigest().equals(specDigest)) {
                return false;
            }
            ServerCallStreamObserver<ServerMessage> old = out;
            if (!detached && old != null) {
                // the server had not noticed the old connection die: end it here
                try {
                    old.onError(Status.ABORTED.withDescription("the client reconnected").asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            BulkConnection side = bulk;
            bulk = null;
            if (side != null) {
                side.close();
            }
            if (graceTimer != null) {
                graceTimer.cancel(false);
                graceTimer = null;
            }
            out = stream;
            peer = client;
            detached = false;
            Welcome.Builder w = Welcome.newBuilder().setSessionId(id).setServerName(registry.serverName())
                    .setReconnectToken(com.google.protobuf.ByteString.copyFrom(reconnectToken))
                    .setReceived(clientReceived.get()).setReconnected(true);
            for (long key : hello.getBulkKeysList()) {
                CompletableFuture<ByteBuffer> f = incoming.get(key);
                if ((f == null || !f.isDone()) && !takenBulk.contains(key)) {
                    w.addMissingBulk(key);
                }
            }
            if (bulkListener != null) {
                w.setBulkPort(bulkListener.port()).setBulkToken(com.google.protobuf.ByteString.copyFrom(bulkListener.issue(this)));
            }
            stream.onNext(ServerMessage.newBuilder().setWelcome(w).build());
        }
        acknowledged(hello.getReceived());
        synchronized (outLock) {
            if (out != stream) {
                return true;
            }
            for (Outbound o : unacked) {
                for (HeldBulk b : o.bulk()) {
                    writeBulk(b.callId(), b.arg(), b.data(), false);
                }
                stream.onNext(o.message());
                resent++;
            }
        }
        log.info("session={} event=reattached client={} resent={} received={}", id, client, resent, clientReceived.get());
        return true;
    }

    public long calls() {
        return calls.get();
    }

    @Override
    public void onNext(ClientMessage msg) {
        switch (msg.getKindCase()) {
            case HELLO:
                if (!msg.getHello().getSpecDigest().equals(specDigest)) {
                    log.warn("session={} event=refused reason=spec-mismatch client={}", id, peer);
                    out.onError(Status.FAILED_PRECONDITION.withDescription(
                            "the agent's OpenCL spec differs from the server's: use an agent and a server from the same ava build")
                            .asRuntimeException());
                    close();
                    return;
                }
                welcomed = true;
                if (!msg.getHello().getResumeToken().isEmpty() && resumed != null) {
                    resumed.run(); // the peer that handed this session over learns the client is back
                }
                Welcome.Builder w = Welcome.newBuilder().setSessionId(id).setServerName(registry.serverName());
                if (bulkListener != null) {
                    w.setBulkPort(bulkListener.port()).setBulkToken(com.google.protobuf.ByteString.copyFrom(bulkListener.issue(this)));
                }
                if (retaining()) {
                    byte[] token = new byte[16];
                    RANDOM.nextBytes(token);
                    registry.forgetReconnect(reconnectToken);
                    reconnectToken = token;
                    registry.reconnectable(token, this);
                    w.setReconnectToken(com.google.protobuf.ByteString.copyFrom(token));
                }
                send(ServerMessage.newBuilder().setWelcome(w).build());
                log.info("session={} event=open client={} name={}", id, peer, msg.getHello().getClientName());
                break;
            case CALLS:
                if (!welcomed) {
                    out.onError(Status.FAILED_PRECONDITION.withDescription("calls before hello").asRuntimeException());
                    close();
                    return;
                }
                counted();
                if (msg.getCalls().getAck() > 0 && retaining()) {
                    acknowledged(msg.getCalls().getAck());
                }
                // one hand-off per thread and batch, not per call: the calls of a thread run in order
                java.util.List<Call> batch = msg.getCalls().getCallsList();
                for (Call call : batch) {
                    for (long created : dispatcher.createdIds(call)) {
                        table.reserve(created);
                    }
                }
                int start = 0;
                while (start < batch.size()) {
                    long thread = batch.get(start).getThread();
                    int end = start + 1;
                    while (end < batch.size() && batch.get(end).getThread() == thread) {
                        end++;
                    }
                    java.util.List<Call> run = batch.subList(start, end);
                    long first = arrivals + 1;
                    // the other threads' calls sent before this run come first (see "order across threads")
                    long[] earlier = earlierOnOtherThreads(thread);
                    arrivals += run.size();
                    lastQueued.put(thread, arrivals);
                    queuedBatches.incrementAndGet();
                    executorFor(thread).execute(() -> {
                        try {
                            ThreadProgress progress = progressOf(thread);
                            if (earlier.length > 0) {
                                awaitEarlier(earlier);
                            }
                            for (int k = 0; k < run.size(); k++) {
                                Call c = run.get(k);
                                if (!c.getAsync()) {
                                    progress.syncRunning = first + k;
                                    progressed();
                                }
                                run(c);
                                progress.done = first + k;
                                progressed();
                            }
                        } finally {
                            batchDone();
                        }
                    });
                    start = end;
                }
                if (queuedBatches.get() > MAX_QUEUED_BATCHES) {
                    sendAck();
                    // flow control: read no more until the session's threads catch up (a loop of async
                    // launches would otherwise queue calls here until the heap runs out)
                    inboundHeld.set(true);
                    batchDone0();
                    return;
                }
                break;
            case CHUNK:
                counted();
                receiveChunk(msg.getChunk());
                break;
            case CONTROL:
                if (registry.migrationHooks() != null) {
                    registry.migrationHooks().control(this, msg.getControl());
                }
                break;
            default:
                break;
        }
        sendAck();
        if (out != null) {
            out.request(1);
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private void counted() {
        clientReceived.incrementAndGet();
    }

    /** Now and then a bare ack, so a client that only sends async calls can drop what it keeps. */
    private void sendAck() {
        if (!retaining()) {
            return;
        }
        long r = clientReceived.get();
        if (r - ackSent >= 32) {
            ackSent = r;
            send(ServerMessage.newBuilder().setAck(r).build());
        }
    }

    // ---------------------------------------------------------------- order across threads
    // Each application thread has its own executor, so a call could overtake another thread's earlier
    // call: a launch on thread A before the clSetKernelArg main made first, a release before another
    // thread's retain, a query before the call it should see. So each run of calls waits until every
    // call the other threads had sent before it is done (such calls never wait for this thread: a thread's queue
    // holds async calls and at most one final sync call). Earlier async calls must have finished (a
    // retain is done); an earlier sync call, which may block until the program's next move, only
    // has to be running.

    /** calls received so far, numbered in arrival order (onNext runs one message at a time) */
    private long arrivals;
    /** per thread: the number of the last call handed to its executor */
    private final java.util.Map<Long, Long> lastQueued = new java.util.HashMap<>();
    /** How far a thread's executor has got. */
    private static final class ThreadProgress {
        /** the number of the last call it finished */
        volatile long done;
        /** the number of the sync call it is running (or ran last) */
        volatile long syncRunning = -1;

        boolean reached(long number) {
            return done >= number || syncRunning == number;
        }
    }

    private final java.util.Map<Long, ThreadProgress> progress = new ConcurrentHashMap<>();

    private ThreadProgress progressOf(long thread) {
        return progress.computeIfAbsent(thread, t -> new ThreadProgress());
    }
    private final Object startedLock = new Object();
    private volatile int startWaiters;

    /** Other threads' last calls not yet started (threads that started everything are forgotten). */
    private long[] earlierOnOtherThreads(long thread) {
        if (lastQueued.isEmpty()) {
            return NONE;
        }
        long[] w = null;
        int n = 0;
        for (java.util.Iterator<java.util.Map.Entry<Long, Long>> it = lastQueued.entrySet().iterator(); it.hasNext(); ) {
            java.util.Map.Entry<Long, Long> e = it.next();
            ThreadProgress p = progress.get(e.getKey());
            if (p != null && p.done >= e.getValue()) {
                it.remove(); // everything it was sent has finished: nothing to wait for
            } else if (e.getKey() != thread) {
                w = w == null ? new long[2 * lastQueued.size()] : w;
                w[n++] = e.getKey();
                w[n++] = e.getValue();
            }
        }
        return w == null ? NONE : java.util.Arrays.copyOf(w, n);
    }

    private static final long[] NONE = new long[0];

    private void progressed() {
        if (startWaiters > 0) {
            synchronized (startedLock) {
                startedLock.notifyAll();
            }
        }
    }

    /** Waits (bounded, so a surprise cannot hang the session) until those threads reached those calls. */
    private void awaitEarlier(long[] threadAndNumber) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (startedLock) {
            startWaiters++;
            try {
                for (int i = 0; i < threadAndNumber.length; i += 2) {
                    ThreadProgress p = progressOf(threadAndNumber[i]);
                    while (!p.reached(threadAndNumber[i + 1]) && System.nanoTime() < deadline && !closed.get()) {
                        startedLock.wait(10);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                startWaiters--;
            }
        }
    }

    /** Call batches handed to this session's threads and not yet run; past the bound, reading stops. */
    private static final int MAX_QUEUED_BATCHES = 64;
    private final java.util.concurrent.atomic.AtomicInteger queuedBatches = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicBoolean inboundHeld = new AtomicBoolean();

    private void batchDone() {
        queuedBatches.decrementAndGet();
        batchDone0();
    }

    /** Reads the next message again once the backlog has halved. */
    private void batchDone0() {
        if (queuedBatches.get() <= MAX_QUEUED_BATCHES / 2 && inboundHeld.compareAndSet(true, false)) {
            ServerCallStreamObserver<ServerMessage> o = out;
            if (o != null && !closed.get()) {
                try {
                    o.request(1);
                } catch (RuntimeException ignored) {
                    // the stream is gone
                }
            }
        }
    }

    private ExecutorService executorFor(long thread) {
        return threads.computeIfAbsent(thread, t -> Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "ava-session-" + id + "-thread-" + t);
            th.setDaemon(true);
            return th;
        }));
    }

    private void run(Call call) {
        if (closed.get()) {
            return;
        }
        Dispatcher.Outcome o;
        try {
            o = dispatcher.execute(call, this);
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            // answered as an internal error: a client waiting for this reply must not wait forever
            log.error("session={} call={} function={} event=internal-error", id, call.getCallId(), call.getFunction(), e);
            o = null;
        }
        calls.incrementAndGet();
        for (long created : dispatcher.createdIds(call)) {
            table.settle(created);
        }
        if (o == null) {
            sendReply(io.ava.proto.Reply.newBuilder().setCallId(call.getCallId()).setResult(Dispatcher.CL_INVALID_OPERATION)
                    .setErrcode(Dispatcher.CL_INVALID_OPERATION).setMessage("internal server error").build(), null);
            return;
        }
        if (o.failed && !o.reply.getMessage().isEmpty()) {
            log.info("session={} call={} event=refused reason=\"{}\"", id, call.getCallId(), o.reply.getMessage());
        }
        if (!call.getAsync() || o.failed) {
            sendReply(o.reply, o);
        }
    }

    private void sendReply(io.ava.proto.Reply reply, Dispatcher.Outcome o) {
        // data of transfers that completed goes before any reply the client could observe them by
        transfers.flushCompleted();
        if (lastPrintfLaunch != 0 && registry.printf() != null) {
            registry.printf().drain(); // and so does the printf output of kernels that already ran
        }
        synchronized (outLock) {
            if (closed.get()) {
                return;
            }
            boolean keep = retaining();
            if (!keep && (out == null || out.isCancelled())) {
                return;
            }
            java.util.List<HeldBulk> held = keep ? new java.util.ArrayList<>() : null;
            if (o != null) {
                for (Dispatcher.BulkOut b : o.bulk) {
                    if (keep) {
                        held.add(new HeldBulk(reply.getCallId(), b.arg(), b.data(), true));
                    }
                    if (live()) {
                        writeBulk(reply.getCallId(), b.arg(), b.data(), !keep);
                    }
                }
            }
            emit(ServerMessage.newBuilder().setReplies(ReplyBatch.newBuilder().addReplies(reply)), held);
        }
    }

    /** Output bytes: on the side channel when there is one (a pooled buffer is given back), else as chunks. */
    private void writeBulk(long callId, int arg, ByteBuffer buffer, boolean release) {
        BulkConnection side = bulk;
        if (side != null) {
            try {
                side.write(callId, arg, buffer);
                if (release) {
                    io.ava.server.dispatch.DirectBuffers.SHARED.release(buffer);
                }
                return;
            } catch (java.io.IOException e) {
                log.warn("session={} event=bulk-write-failed reason=\"{}\"", id, e.getMessage());
                bulk = null;
            }
        }
        ByteBuffer data = buffer.duplicate();
        data.clear();
        int total = data.capacity();
        for (int off = 0; off < total; off += CHUNK) {
            int len = Math.min(CHUNK, total - off);
            ByteBuffer slice = data.duplicate();
            slice.position(off).limit(off + len);
            try {
                out.onNext(ServerMessage.newBuilder().setChunk(BulkChunk.newBuilder()
                        .setCallId(callId).setArg(arg).setOffset(off).setTotal(total)
                        .setData(UnsafeByteOperations.unsafeWrap(slice.slice()))
                        .setLast(off + len == total)).build());
            } catch (RuntimeException e) {
                return; // the stream broke: a reconnecting client gets it again
            }
        }
    }

    private void send(ServerMessage m) {
        synchronized (outLock) {
            if (!closed.get() && live()) {
                try {
                    out.onNext(m);
                } catch (RuntimeException e) {
                    // the client's stream went away between the check and the write: its end is handled elsewhere
                    log.debug("session={} event=send-after-cancel", id);
                }
            }
        }
    }

    private void receiveChunk(BulkChunk c) {
        long key = c.getCallId() * 64 + c.getArg();
        ByteBuffer buf = assembling.computeIfAbsent(key, k -> {
            if (c.getTotal() > Integer.MAX_VALUE) {
                return null;
            }
            return ByteBuffer.allocateDirect((int) c.getTotal()).order(ByteOrder.nativeOrder());
        });
        if (buf == null || c.getOffset() < 0 || c.getOffset() + c.getData().size() > buf.capacity()) {
            log.warn("session={} event=bad-chunk call={}", id, c.getCallId());
            return;
        }
        ByteBuffer dst = buf.duplicate();
        dst.position((int) c.getOffset());
        c.getData().copyTo(dst);
        if (c.getLast()) {
            assembling.remove(key);
            future(key).complete(buf);
        }
    }

    private CompletableFuture<ByteBuffer> future(long key) {
        return incoming.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    /** The call's bulk input: it may still be on its way on the side channel, so wait for it. */
    @Override
    public ByteBuffer takeBulk(long callId, int arg) {
        long key = callId * 64 + arg;
        try {
            return future(key).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        } finally {
            incoming.remove(key);
            if (retaining()) {
                takenBulk.add(key);
            }
        }
    }

    void attachBulk(BulkConnection connection) {
        bulk = connection;
        log.info("session={} event=bulk-channel-open", id);
    }

    boolean admitBulk(long size) {
        return !closed.get();
    }

    void bulkArrived(long callId, int arg, ByteBuffer data) {
        future(callId * 64 + arg).complete(data);
    }

    void bulkFailed(long callId, int arg, String reason) {
        log.warn("session={} call={} event=bulk-refused reason=\"{}\"", id, callId, reason);
        future(callId * 64 + arg).complete(null);
    }

    @Override
    public void onError(Throwable t) {
        log.info("session={} event=disconnected client={} reason=\"{}\"", id, peer, Status.fromThrowable(t).getCode());
        clientGone(false);
    }

    @Override
    public void onCompleted() {
        log.info("session={} event=closed client={}", id, peer);
        clientGone(true);
        synchronized (outLock) {
            try {
                if (out != null) {
                    out.onCompleted();
                }
            } catch (RuntimeException ignored) {
                // the stream is already gone
            }
        }
    }

    // ---------------------------------------------------------------- migration

    private final Object migrationLock = new Object();
    private Object migration;
    private boolean goneDuringMigration;
    private volatile Runnable resumed;
    /** told whether the client ended its stream in order (after a redirect) or vanished */
    private volatile java.util.function.Consumer<Boolean> lostDuringMigration = orderly -> { };

    /** The client's stream ended: release everything, unless a migration still reads the objects. */
    private void clientGone(boolean orderly) {
        synchronized (migrationLock) {
            if (migration != null) {
                goneDuringMigration = true;
                lostDuringMigration.accept(orderly);
                return; // the migration closes the session when it stops
            }
        }
        close();
    }

    /**
     * Marks the session as migrating; false if it already is, or is closed. While it migrates,
     * the session is not closed under the migration's feet: a client that goes away is noted and
     * the session closed when the migration ends.
     */
    public boolean beginMigration(Object m, java.util.function.Consumer<Boolean> onClientLost) {
        synchronized (migrationLock) {
            if (migration != null || closed.get()) {
                return false;
            }
            migration = m;
            lostDuringMigration = onClientLost;
            return true;
        }
    }

    public Object migration() {
        synchronized (migrationLock) {
            return migration;
        }
    }

    /** The migration stopped; with {@code movedAway} the client runs on the peer now, so this copy goes. */
    public void endMigration(boolean movedAway) {
        boolean close;
        synchronized (migrationLock) {
            migration = null;
            lostDuringMigration = orderly -> { };
            close = movedAway || goneDuringMigration;
        }
        if (close) {
            if (movedAway) {
                log.info("session={} event=migrated-away", id);
            }
            close();
        }
    }

    public boolean clientLost() {
        synchronized (migrationLock) {
            return goneDuringMigration || closed.get();
        }
    }

    /**
     * Waits until every call the session's threads have been handed has run; false when one is
     * still running after the timeout (blocked on an event that only a later call would set).
     */
    public boolean drainThreads(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        for (ExecutorService e : threads.values()) {
            try {
                e.submit(() -> { }).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException | java.util.concurrent.ExecutionException ex) {
                return false;
            } catch (java.util.concurrent.TimeoutException ex) {
                return false;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Sends what completed transfers and printing kernels produced, before a migration notice. */
    public void flushOutput() {
        transfers.flushCompleted();
        if (lastPrintfLaunch != 0 && registry.printf() != null) {
            registry.printf().drain();
        }
    }

    /** A session a peer handed over: it waits for its client, who presents the token. */
    public void awaitResume(Runnable onResumed) {
        this.resumed = onResumed;
    }

    /** The client of a handed-over session is back, on this stream. */
    void attach(ServerCallStreamObserver<ServerMessage> stream, String client) {
        synchronized (outLock) {
            this.out = stream;
            this.peer = client;
        }
    }

    private final java.util.List<cl_event> releaseAtClose = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** An event of the server's own that may still be pending: released after the queues finish. */
    public void releaseAtClose(cl_event e) {
        releaseAtClose.add(e);
    }

    public boolean isClosed() {
        return closed.get();
    }

    public String state() {
        if (out == null) {
            return "awaiting client";
        }
        if (detached) {
            return "detached";
        }
        return migration() != null ? "migrating" : "serving";
    }

    public SessionRegistry registry() {
        return registry;
    }

    /** Stops this session's threads and releases every object the client still holds. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ExecutorService e : threads.values()) {
            e.shutdown();
        }
        for (ExecutorService e : threads.values()) {
            try {
                if (!e.awaitTermination(5, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        for (HandleEntry q : table.all(HandleType.cl_command_queue)) {
            if (table.clientReferences(q) > 0) {
                CL.clFinish((cl_command_queue) q.object());
            }
        }
        releaseAtClose.forEach(CL::clReleaseEvent);
        releaseAtClose.clear();
        transfers.abandonAll();
        for (HandleTable.SvmAllocation a : table.svmAll()) {
            CL.clSVMFree(a.context(), a.pointer());
        }
        int released = 0;
        for (HandleEntry e : table.ownedNewestFirst()) {
            int refs = table.clientReferences(e);
            for (int k = 0; k < refs; k++) {
                io.ava.server.handles.NativeRefs.release(e);
            }
            HandleTable.EventFacts facts = e.type() == HandleType.cl_event ? table.eventFacts(e.id()) : null;
            if (facts != null && facts.heldQueue() != null) {
                CL.clReleaseCommandQueue(facts.heldQueue());
            }
            released++;
        }
        table.clear();
        incoming.clear();
        assembling.clear();
        BulkConnection side = bulk;
        if (side != null) {
            side.close();
        }
        if (bulkListener != null) {
            bulkListener.forget(this);
        }
        registry.forgetReconnect(reconnectToken);
        synchronized (outLock) {
            if (graceTimer != null) {
                graceTimer.cancel(false);
            }
            unacked.clear();
            bulkBeforeNext.clear();
        }
        registry.remove(this);
        log.info("session={} event=released objects={} calls={}", id, released, calls.get());
    }
}
