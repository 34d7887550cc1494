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
import io.ava.server.logging.Events;
import io.ava.server.metrics.ServerMetrics;
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
    private final ServerMetrics metrics;
    /** why the session ends, for the log and the metrics: the first path that knows says so */
    private volatile String closeReason = "closed";

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
        this.metrics = registry.metrics();
    }

    ServerMetrics metrics() {
        return metrics;
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
                    Events.warn(log, "transfer-not-kept").addKeyValue("session", id).addKeyValue("call", callId)
                            .addKeyValue("reason", e.getMessage()).log();
                }
            }
            if (live()) {
                writeBulk(callId, arg, data, true);
            }
        }
    }

    @Override
    public void sendPooledBulk(long callId, int arg, ByteBuffer pooled) {
        synchronized (outLock) {
            boolean keep = retaining() && !closed.get();
            if (keep) {
                bulkBeforeNext.add(new HeldBulk(callId, arg, pooled, true)); // back to the pool once acknowledged
            }
            if (live()) {
                writeBulk(callId, arg, pooled, !keep);
            } else if (!keep) {
                io.ava.server.dispatch.DirectBuffers.SHARED.release(pooled);
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
                log.atDebug().addKeyValue("event", "send-after-cancel").addKeyValue("session", id).log();
            }
        }
    }

    /** The client has every numbered message up to {@code seq}: forget them. */
    private void acknowledged(long seq) {
        synchronized (outLock) {
            while (!unacked.isEmpty() && unacked.peekFirst().seq() <= seq) {
                releasePooled(unacked.pollFirst().bulk());
            }
        }
    }

    private static void releasePooled(java.util.List<HeldBulk> held) {
        for (HeldBulk b : held) {
            if (b.pooled()) {
                io.ava.server.dispatch.DirectBuffers.SHARED.release(b.data());
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
            Events.info(log, "detached").addKeyValue("session", id).addKeyValue("client", peer)
                    .addKeyValue("reason", Status.fromThrowable(t).getCode()).addKeyValue("grace_ms", grace).log();
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
        Events.info(log, "reconnect-expired").addKeyValue("session", id).addKeyValue("client", peer).log();
        close("disconnected");
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
                bulkListener.offer(w, this);
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
        Events.info(log, "reattached").addKeyValue("session", id).addKeyValue("client", client).addKeyValue("resent", resent)
                .addKeyValue("received", clientReceived.get()).log();
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
                    Events.warn(log, "refused").addKeyValue("session", id).addKeyValue("reason", "spec-mismatch")
                            .addKeyValue("client", peer).log();
                    closeReason = "refused";
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
                    bulkListener.offer(w, this);
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
                Events.info(log, "open").addKeyValue("session", id).addKeyValue("client", peer)
                        .addKeyValue("name", msg.getHello().getClientName())
                        .addKeyValue("resumed", !msg.getHello().getResumeToken().isEmpty()).log();
                break;
            case CALLS:
                if (!welcomed) {
                    Events.warn(log, "refused").addKeyValue("session", id).addKeyValue("reason", "calls before hello")
                            .addKeyValue("client", peer).log();
                    out.onError(Status.FAILED_PRECONDITION.withDescription("calls before hello").asRuntimeException());
                    closeReason = "refused";
                    close();
                    return;
                }
                counted();
                if (msg.getCalls().getAck() > 0 && retaining()) {
                    acknowledged(msg.getCalls().getAck());
                }
                // one hand-off per thread and batch, not per call: the calls of a thread run in order
                java.util.List<Call> batch = msg.getCalls().getCallsList();
                long number = arrivals; // the calls are numbered below in this order
                for (Call call : batch) {
                    number++;
                    for (long created : dispatcher.createdIds(call)) {
                        table.reserve(created, number);
                    }
                    if (dispatcher.createsUserEvent(call)) {
                        userEvents = true; // whichever thread runs it: from now on no batch runs on the reader
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
                    boolean inline = run.size() == batch.size() && earlier.length == 0 && queuedBatches.get() == 0
                            && mayRunInline(run);
                    queuedBatches.incrementAndGet();
                    Runnable task = () -> {
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
                                HandleTable.running(first + k);
                                try {
                                    run(c);
                                } finally {
                                    HandleTable.callDone();
                                }
                                progress.done = first + k;
                                progressed();
                            }
                        } finally {
                            batchDone();
                        }
                    };
                    if (inline) {
                        runInline(task);
                    } else {
                        executorFor(thread).execute(task);
                    }
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

    /**
     * Set on a transport's thread that reads one connection and nothing else (the direct port's): it
     * may run a batch itself instead of handing it to the session's thread for that client thread.
     */
    private static final ThreadLocal<Boolean> CONNECTION_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** Marks the calling thread as one connection's reader (see {@link #mayRunInline}). */
    public static void onConnectionReaderThread() {
        CONNECTION_THREAD.set(Boolean.TRUE);
    }

    /** Whether the session has created a user event: a wait on one ends only when the client says so. */
    private volatile boolean userEvents;

    /** For a session whose objects were made elsewhere (a migrated one): it never runs a batch on the reader. */
    public void mayHaveUserEvents() {
        userEvents = true;
    }

    /**
     * Whether the reader may run this batch itself. Handing a batch to another thread costs a wake-up,
     * 0.2 ms on average on a 2-core VM (more when the CPU device is busy), on the path of every
     * synchronous call. Running it on the reader is safe only where nothing it waits for needs the reader:
     * the reader serves this connection alone, no other batch is queued or running (so order holds), no
     * call waits for bulk bytes (which may come on this stream), and the session has no user events (a
     * wait on one needs a later call to end). The reader reads nothing while it runs the batch, as a
     * client thread that waits for its reply sends nothing.
     */
    private boolean mayRunInline(java.util.List<Call> run) {
        if (!CONNECTION_THREAD.get() || userEvents) {
            return false;
        }
        for (Call c : run) {
            for (io.ava.proto.Value v : c.getArgsList()) {
                if (v.hasBulkSize()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Runs a batch on this thread as the session's thread for it would: same thread marks, same log context. */
    private void runInline(Runnable task) {
        String outerSession = org.slf4j.MDC.get("session");
        org.slf4j.MDC.put("session", id);
        try {
            io.ava.server.dispatch.Transfers.asSessionThread(task);
        } finally {
            if (outerSession == null) {
                org.slf4j.MDC.remove("session");
            } else {
                org.slf4j.MDC.put("session", outerSession);
            }
        }
    }

    private ExecutorService executorFor(long thread) {
        return threads.computeIfAbsent(thread, t -> Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(() -> {
                org.slf4j.MDC.put("session", id); // every line this thread logs names its session
                io.ava.server.dispatch.Transfers.onSessionThread();
                r.run();
            }, "ava-session-" + id + "-thread-" + t);
            th.setDaemon(true);
            return th;
        }));
    }

    private void run(Call call) {
        if (closed.get()) {
            return;
        }
        Dispatcher.Outcome o;
        long started = metrics.enabled() ? System.nanoTime() : 0;
        try {
            o = dispatcher.execute(call, this);
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            // answered as an internal error: a client waiting for this reply must not wait forever
            Events.error(log, "internal-error").addKeyValue("session", id).addKeyValue("call", call.getCallId())
                    .addKeyValue("function", dispatcher.functionName(call.getFunction())).setCause(e).log();
            o = null;
        }
        calls.incrementAndGet();
        if (started != 0) {
            metrics.call(call.getFunction(), System.nanoTime() - started,
                    o == null ? Dispatcher.CL_INVALID_OPERATION : o.failed ? errorCode(o.reply) : 0);
        }
        for (long created : dispatcher.createdIds(call)) {
            table.settle(created);
        }
        if (!admitted.isEmpty()) {
            dropUntaken(call.getCallId());
        }
        if (o == null) {
            sendReply(io.ava.proto.Reply.newBuilder().setCallId(call.getCallId()).setResult(Dispatcher.CL_INVALID_OPERATION)
                    .setErrcode(Dispatcher.CL_INVALID_OPERATION).setMessage("internal server error").build(), null);
            return;
        }
        if (o.failed && !o.reply.getMessage().isEmpty()) {
            Events.info(log, "refused").addKeyValue("session", id).addKeyValue("call", call.getCallId())
                    .addKeyValue("function", dispatcher.functionName(call.getFunction()))
                    .addKeyValue("code", io.ava.server.metrics.ClErrorNames.name(errorCode(o.reply)))
                    .addKeyValue("reason", o.reply.getMessage()).log();
        } else if (o.failed && log.isDebugEnabled()) {
            Events.debug(log, "call-failed").addKeyValue("session", id).addKeyValue("call", call.getCallId())
                    .addKeyValue("function", dispatcher.functionName(call.getFunction()))
                    .addKeyValue("code", io.ava.server.metrics.ClErrorNames.name(errorCode(o.reply))).log();
        }
        if (!call.getAsync() || o.failed) {
            sendReply(o.reply, o);
        }
    }

    /** The OpenCL error a failed call answered: its errcode_ret, else its status result. */
    private static int errorCode(io.ava.proto.Reply reply) {
        if (reply.getErrcode() != 0) {
            return reply.getErrcode();
        }
        long r = reply.getResult();
        return r < 0 && r >= Integer.MIN_VALUE ? (int) r : Dispatcher.CL_INVALID_OPERATION;
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
                Events.warn(log, "bulk-write-failed").addKeyValue("session", id).addKeyValue("reason", e.getMessage()).log();
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
                    Events.debug(log, "send-after-cancel").addKeyValue("session", id).log();
                }
            }
        }
    }

    private void receiveChunk(BulkChunk c) {
        long key = c.getCallId() * 64 + c.getArg();
        if (Integer.compareUnsigned(c.getArg(), 64) >= 0) {
            // no call argument has this number: nothing waits for it (and its key would be another call's)
            Events.warn(log, "bad-chunk").addKeyValue("session", id).addKeyValue("call", c.getCallId())
                    .addKeyValue("reason", "argument " + Integer.toUnsignedString(c.getArg()) + " out of range").log();
            return;
        }
        if (refusedChunks.contains(key)) {
            if (c.getLast()) {
                refusedChunks.remove(key); // the rest of a refused transfer is dropped as it comes
            }
            return;
        }
        ByteBuffer buf = assembling.get(key);
        if (buf == null) {
            // the announced total is checked before anything is allocated; this runs on a transport thread,
            // which must not wait, so a transfer that does not fit beside the others is refused, not held
            String refusal = admitNow(c.getTotal());
            if (refusal == null) {
                admitted.put(key, c.getTotal());
                try {
                    buf = ByteBuffer.allocateDirect((int) c.getTotal()).order(ByteOrder.nativeOrder());
                } catch (OutOfMemoryError e) {
                    taken(key); // direct memory exhausted: refuse this transfer, not the session
                    refusal = "no direct memory for " + c.getTotal() + " bytes";
                }
            }
            if (refusal != null) {
                bulkFailed(c.getCallId(), c.getArg(), refusal);
                if (!c.getLast()) {
                    refusedChunks.add(key);
                }
                return;
            }
            assembling.put(key, buf);
        }
        String bad = chunkOutside(c.getOffset(), c.getData().size(), buf.capacity());
        if (bad != null) {
            // the call waiting for these bytes is refused at once (it does not wait a minute for them)
            Events.warn(log, "bad-chunk").addKeyValue("session", id).addKeyValue("call", c.getCallId())
                    .addKeyValue("reason", bad).log();
            assembling.remove(key);
            if (!c.getLast()) {
                refusedChunks.add(key);
            }
            future(key).completeExceptionally(new io.ava.server.dispatch.ClError(Dispatcher.CL_INVALID_VALUE, bad));
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

    /** Why a chunk of {@code length} bytes at {@code offset} (an unsigned 64-bit number) does not fit the transfer, or null. */
    static String chunkOutside(long offset, int length, int capacity) {
        if (offset < 0 || offset > capacity || length > capacity - offset) {
            return Long.toUnsignedString(offset) + "+" + length + " is outside the " + capacity + "-byte transfer";
        }
        return null;
    }

    private CompletableFuture<ByteBuffer> future(long key) {
        return incoming.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    /** The call's bulk input: it may still be on its way on the side channel, so wait for it. */
    @Override
    public ByteBuffer takeBulk(long callId, int arg) throws io.ava.server.dispatch.ClError {
        long key = callId * 64 + arg;
        try {
            return future(key).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.ava.server.dispatch.ClError refused) {
                throw refused;
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } finally {
            incoming.remove(key);
            taken(key); // the call owns the bytes now: they no longer count as in flight
            if (retaining()) {
                takenBulk.add(key);
            }
        }
    }

    @Override
    public io.ava.server.dispatch.Limits limits() {
        return registry.limits();
    }

    // ---------------------------------------------------------------- bytes in flight
    // Bulk input received for calls that have not taken it yet. The side channel has its own reader
    // thread: past the bound it stops reading (the client's writes then wait: back-pressure) until
    // calls have taken enough. gRPC chunks arrive on a transport thread, which must not wait: a new
    // transfer that does not fit beside the ones already held is refused with CL_OUT_OF_HOST_MEMORY.
    // One transfer alone is always let in if no buffer of the session could be smaller (it must fit
    // the memory limit and 2 GiB), so a large write still works when the in-flight bound is smaller.

    /** bytes admitted and not yet taken */
    private final AtomicLong inflight = new AtomicLong();
    private final Map<Long, Long> admitted = new ConcurrentHashMap<>();
    private final java.util.Set<Long> refusedChunks = ConcurrentHashMap.newKeySet();
    private final Object inflightLock = new Object();

    /** Bytes received for calls that have not taken them yet. */
    public long inflightBytes() {
        return inflight.get();
    }

    /** Why a transfer of this size is refused outright, or null. */
    private String tooLarge(long size) {
        io.ava.server.dispatch.Limits l = limits();
        if (size < 0 || size > Integer.MAX_VALUE) {
            return "a bulk transfer of " + size + " bytes is more than one call can carry";
        }
        if (size > l.maxMemory()) {
            return "a bulk transfer of " + size + " bytes is more than the session's memory limit of "
                    + io.ava.server.dispatch.Limits.describe(l.maxMemory());
        }
        return null;
    }

    /** For gRPC chunks: admitted at once or refused (never waits). */
    private String admitNow(long size) {
        String refusal = tooLarge(size);
        if (refusal != null) {
            return refusal;
        }
        long max = limits().maxInflight();
        synchronized (inflightLock) {
            long now = inflight.get();
            if (now > 0 && now + size > max) {
                return size + " bytes more in flight would exceed the session's bound of "
                        + io.ava.server.dispatch.Limits.describe(max) + " (--max-session-inflight)";
            }
            inflight.addAndGet(size);
        }
        return null;
    }

    /** For the side channel: waits until the transfer fits beside the others; a reason if refused or closed. */
    String admitBulk(long callId, int arg, long size) {
        String refusal = tooLarge(size);
        if (refusal != null) {
            return refusal;
        }
        long max = limits().maxInflight();
        synchronized (inflightLock) {
            while (!closed.get() && inflight.get() > 0 && inflight.get() + size > max) {
                try {
                    inflightLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
            }
            if (closed.get()) {
                return "the session is closed";
            }
            inflight.addAndGet(size);
        }
        admitted.put(callId * 64 + arg, size);
        return null;
    }

    private void taken(long key) {
        Long size = admitted.remove(key);
        if (size != null) {
            synchronized (inflightLock) {
                inflight.addAndGet(-size);
                inflightLock.notifyAll();
            }
        }
    }

    /** A call ended: bulk input it never took (it failed before) no longer counts, and is dropped. */
    private void dropUntaken(long callId) {
        for (Long key : admitted.keySet()) {
            if (key / 64 == callId) {
                CompletableFuture<ByteBuffer> f = incoming.remove(key);
                assembling.remove(key);
                if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
                    ByteBuffer b = f.getNow(null);
                    if (b != null && b.isDirect()) {
                        io.ava.server.dispatch.DirectBuffers.SHARED.release(b);
                    }
                }
                taken(key);
            }
        }
    }

    /** @param via "tcp", or "unix" for the Unix domain socket */
    void attachBulk(BulkConnection connection, String via) {
        bulk = connection;
        Events.info(log, "bulk-channel-open").addKeyValue("session", id).addKeyValue("via", via).log();
    }

    /** The client offered shared-memory rings for its side channel's payloads (see SharedRing). */
    void bulkRings(boolean accepted, String why) {
        Events.info(log, "bulk-rings").addKeyValue("session", id).addKeyValue("accepted", accepted)
                .addKeyValue("reason", why).log();
    }

    void bulkArrived(long callId, int arg, ByteBuffer data) {
        future(callId * 64 + arg).complete(data);
    }

    void bulkFailed(long callId, int arg, String reason) {
        Events.warn(log, "bulk-refused").addKeyValue("session", id).addKeyValue("call", callId).addKeyValue("reason", reason).log();
        future(callId * 64 + arg).completeExceptionally(
                new io.ava.server.dispatch.ClError(io.ava.server.dispatch.Limits.CL_OUT_OF_HOST_MEMORY, reason));
    }

    @Override
    public void onError(Throwable t) {
        Events.info(log, "disconnected").addKeyValue("session", id).addKeyValue("client", peer)
                .addKeyValue("reason", Status.fromThrowable(t).getCode()).log();
        clientGone(false);
    }

    @Override
    public void onCompleted() {
        Events.info(log, "closed").addKeyValue("session", id).addKeyValue("client", peer).log();
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
        if (!"migrated-away".equals(closeReason)) {
            // the client ends its stream once redirected, while the moved-away copy may still be closing
            closeReason = orderly ? "client-ended" : "disconnected";
        }
        synchronized (migrationLock) {
            if (migration != null) {
                goneDuringMigration = true;
                lostDuringMigration.accept(orderly);
                return; // the migration closes the session when it stops
            }
        }
        closeAsync();
    }

    /**
     * Releases the session on a thread of its own: this runs on a transport thread that other
     * sessions share, and releasing waits for the session's threads and queues (a long kernel, a
     * hung call), which must not hold up anyone else.
     */
    private void closeAsync() {
        Thread t = new Thread(this::close, "ava-close-" + id);
        t.setDaemon(true);
        t.start();
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
                Events.info(log, "migrated-away").addKeyValue("session", id).log();
                closeReason = "migrated-away";
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

    /**
     * User events the client will never set now: failed, so that a thread of this session blocked
     * in clWaitForEvents and commands gated on them end, and the queues can be finished.
     */
    private void failPendingUserEvents() {
        int[] v = new int[1];
        for (HandleEntry e : table.all(HandleType.cl_event)) {
            if (table.clientReferences(e) == 0) {
                continue; // not the client's (a query's answer): it may be gone, and PoCL aborts on a freed event
            }
            cl_event ev = (cl_event) e.object();
            if (CL.clGetEventInfo(ev, CL.CL_EVENT_COMMAND_TYPE, 4, org.jocl.Pointer.to(v), null) != CL.CL_SUCCESS
                    || v[0] != CL.CL_COMMAND_USER) {
                continue;
            }
            if (CL.clGetEventInfo(ev, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, 4, org.jocl.Pointer.to(v), null) == CL.CL_SUCCESS
                    && v[0] > CL.CL_COMPLETE) {
                CL.clSetUserEventStatus(ev, CL.CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
                Events.info(log, "user-event-failed").addKeyValue("session", id).addKeyValue("id", e.id()).log();
            }
        }
    }

    /** Ends the session, saying why (for the log and the metrics). */
    public void close(String reason) {
        closeReason = reason;
        close();
    }

    /** Stops this session's threads and releases every object the client still holds. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ExecutorService e : threads.values()) {
            e.shutdown();
        }
        failPendingUserEvents();
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
            int refs = table.nativeReferences(e);
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
        admitted.clear();
        refusedChunks.clear();
        synchronized (inflightLock) {
            inflight.set(0);
            inflightLock.notifyAll();
        }
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
            // pooled buffers still held for a reconnect go back (the pool tracks each until then)
            for (Outbound o : unacked) {
                releasePooled(o.bulk());
            }
            releasePooled(bulkBeforeNext);
            unacked.clear();
            bulkBeforeNext.clear();
        }
        if (registry.remove(this)) {
            metrics.sessionClosed(closeReason);
        }
        Events.info(log, "released").addKeyValue("session", id).addKeyValue("objects", released)
                .addKeyValue("calls", calls.get()).addKeyValue("reason", closeReason).log();
    }
}
