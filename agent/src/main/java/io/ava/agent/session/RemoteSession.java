package io.ava.agent.session;

import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.CallBatch;
import io.ava.proto.ClientMessage;
import io.ava.proto.Hello;
import io.ava.proto.Reply;
import io.ava.proto.ServerMessage;
import io.ava.agent.marshal.HostMemory;
import io.grpc.Status;

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

    private volatile String target;
    /** the connection to the server that serves the session now (replaced when the session migrates) */
    private volatile Link link;
    /** the previous server's connection while the session moves: its end is expected, not a failure */
    private volatile Link leaving;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private final List<Call> queued = new ArrayList<>();
    private final Thread flusher;
    private final AsyncFailures asyncFailures;
    private volatile Throwable broken;
    private volatile String sessionId;
    private final String specDigest;
    private final String clientName;
    /**
     * Closed while the session migrates: no call may reach the old server after the client said it
     * had paused, and none the new one before it is there. Guarded by sendLock.
     */
    private boolean gated;
    private long gatedSince;
    /** send sequences in progress that release sendLock while they wait for flow control */
    private int sending;
    private final java.util.concurrent.ExecutorService migrationThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ava-migration");
        t.setDaemon(true);
        return t;
    });

    // ---------------------------------------------------------------- reconnect state
    /** how long a dropped connection is retried before the session is given up (0: never retried) */
    private final long reconnectMillis;
    /** the server's reconnect token for the session (null: the server keeps no session for a vanished client) */
    private volatile byte[] reconnectToken;
    /** a dropped connection is being re-established (the gate is closed meanwhile); guarded by sendLock */
    private boolean reconnecting;
    /** call batches and chunks sent, numbered from 1, kept until the server says it has them */
    private final java.util.ArrayDeque<Sent> resend = new java.util.ArrayDeque<>();
    /** the number of the last call batch or chunk sent; guarded by resend */
    private long clientSeq;

    private record Sent(long seq, ClientMessage message) {
    }

    /**
     * What arrived from one server session: the numbered replies and pushes processed, and those
     * whose bulk bytes have not landed yet (the ack covers a message only once its bytes are in).
     * A reconnect keeps it; a migration starts a new one.
     */
    private static final class Inbound {
        private long processed;
        private final java.util.TreeMap<Long, CompletableFuture<?>> landing = new java.util.TreeMap<>();

        /** False for a message already processed (sent again after a reconnect). */
        synchronized boolean isNew(long seq) {
            return seq > processed;
        }

        synchronized void processed(long seq, CompletableFuture<?> bytes) {
            processed = Math.max(processed, seq);
            if (bytes != null && !bytes.isDone()) {
                landing.put(seq, bytes);
            }
        }

        /** Every numbered message up to this one is processed and its bytes landed. */
        synchronized long ack() {
            while (!landing.isEmpty() && landing.firstEntry().getValue().isDone()) {
                landing.pollFirstEntry();
            }
            return landing.isEmpty() ? processed : landing.firstKey() - 1;
        }
    }

    /** One connection to a server: session stream (gRPC or direct) and bulk side channel. */
    private final class Link {
        final String address;
        final Wire wire;
        final CompletableFuture<io.ava.proto.Welcome> welcome = new CompletableFuture<>();
        volatile BulkChannel bulk;
        final Inbound in;
        volatile boolean dead;
        volatile Throwable failure;

        Link(String address) {
            this(address, new Inbound());
        }

        Link(String address, Inbound in) {
            this.in = in;
            this.address = address;
            Link self = this;
            Wire.Inbound inbound = new Wire.Inbound() {
                @Override
                public void message(ServerMessage m) {
                    receive(m, self);
                }

                @Override
                public void failed(Throwable t) {
                    linkFailed(self, t);
                }

                @Override
                public void completed() {
                    // after close() this is the orderly end of every run: no gRPC Status then, whose classes take
                    // ~15 ms to load and initialise on the way out of the program
                    linkFailed(self, closingDeadline != 0 ? new IllegalStateException("the server closed the session")
                            : Status.UNAVAILABLE.withDescription("the server closed the session").asRuntimeException());
                }

                @Override
                public void ready() {
                    synchronized (sendLock) {
                        sendLock.notifyAll();
                    }
                }
            };
            this.wire = DirectWire.isDirect(address) ? new DirectWire(address, credentials.token(), inbound)
                    : new GrpcWire(address, channelCredentials, credentials, inbound);
        }

        /** Sends hello (or a resume) and waits for the welcome; then opens the bulk side channel. */
        io.ava.proto.Welcome hello(byte[] resumeToken) throws SessionException {
            Hello.Builder h = Hello.newBuilder();
            if (resumeToken != null) {
                h.setResumeToken(com.google.protobuf.ByteString.copyFrom(resumeToken));
            }
            return hello(h);
        }

        io.ava.proto.Welcome hello(Hello.Builder h) throws SessionException {
            h.setSpecDigest(specDigest).setClientName(clientName).setAuthorization(wire.authorization());
            synchronized (sendLock) {
                wire.send(ClientMessage.newBuilder().setHello(h).build());
            }
            try {
                io.ava.proto.Welcome w = welcome.get(15, TimeUnit.SECONDS);
                bulk = openBulk(address, w);
                return w;
            } catch (ExecutionException e) {
                throw new SessionException(describe(e.getCause()));
            } catch (TimeoutException e) {
                throw new SessionException("no answer within 15 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SessionException("interrupted");
            }
        }

        void shutdown() {
            BulkChannel side = bulk;
            if (side != null) {
                side.close();
            }
            wire.shutdown();
        }

        void shutdownNow() {
            BulkChannel side = bulk;
            if (side != null) {
                side.close();
            }
            wire.shutdownNow();
        }
    }

    /** A call waiting for its reply, and where its bulk output goes. */
    public static final class Pending {
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        final HostMemory.Region[] outRegions;
        private final Map<Integer, CompletableFuture<Void>> bulk = new ConcurrentHashMap<>();

        /** bulk inputs sent on the side channel: sent again if a dropped connection lost them */
        final List<BulkIn> side = new java.util.concurrent.CopyOnWriteArrayList<>();

        public Pending(HostMemory.Region[] outRegions) {
            this.outRegions = outRegions;
        }

        /** Completes once the bytes of output {@code arg} are in the application's memory. */
        CompletableFuture<Void> bulkDone(int arg) {
            return bulk.computeIfAbsent(arg, a -> new CompletableFuture<>());
        }

        /** For non-blocking transfers: the server's word that the driver finished, with the final status. */
        final CompletableFuture<io.ava.proto.TransferDone> transfer = new CompletableFuture<>();

        /** What must stay reachable until the bytes have landed: the application's direct buffer. */
        volatile Object keepAlive;

        /** Keeps {@code o} (the application's memory) reachable for as long as this transfer is tracked. */
        public void keepAlive(Object o) {
            keepAlive = o;
        }
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

    private final Credentials credentials;
    private final io.grpc.ChannelCredentials channelCredentials;

    private RemoteSession(String target, Credentials credentials, io.grpc.ChannelCredentials channelCredentials, String specDigest,
                          String clientName, AsyncFailures asyncFailures, long reconnectSeconds) {
        this.reconnectMillis = reconnectSeconds * 1000;
        this.target = target;
        this.credentials = credentials;
        this.channelCredentials = channelCredentials;
        this.specDigest = specDigest;
        this.clientName = clientName;
        this.asyncFailures = asyncFailures;
        this.link = new Link(target);
        this.flusher = new Thread(this::flushLoop, "ava-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    /** Opens a session; fails within the timeout when the server cannot be reached. */
    public static RemoteSession open(String target, Credentials credentials, String specDigest, String clientName,
                                     AsyncFailures failures) throws SessionException {
        return open(target, credentials, specDigest, clientName, failures, 0);
    }

    /** As above; a connection that drops is re-established for up to {@code reconnectSeconds}. */
    public static RemoteSession open(String target, Credentials credentials, String specDigest, String clientName,
                                     AsyncFailures failures, long reconnectSeconds) throws SessionException {
        io.grpc.ChannelCredentials creds;
        if (DirectWire.isDirect(target) && credentials.tls()) {
            throw new SessionException("direct:// carries no TLS: use the server's gRPC port (host:port) with tlsCa=, tlsCert=, tlsKey=");
        }
        try {
            creds = credentials.channelCredentials(); // also for direct://: a migration moves on to the peer's gRPC port
        } catch (java.io.IOException | RuntimeException e) {
            throw new SessionException("cannot use the TLS files (tlsCa=, tlsCert=, tlsKey=): " + e.getMessage());
        }
        RemoteSession s = new RemoteSession(target, credentials, creds, specDigest, clientName, failures, reconnectSeconds);
        try {
            io.ava.proto.Welcome w = s.link.hello((byte[]) null);
            s.sessionId = w.getSessionId();
            s.reconnectToken = w.getReconnectToken().isEmpty() ? null : w.getReconnectToken().toByteArray();
            return s;
        } catch (SessionException e) {
            s.close();
            throw e;
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
            awaitGate();
            checkBroken();
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

    /** Nothing to wait for: an asynchronous transfer's call has no reply unless it failed. */
    private static final Reply ACCEPTED = Reply.getDefaultInstance();

    /**
     * Queues a non-blocking read whose success the agent predicted: no reply comes, only the
     * transfer's push with its bytes. Should the server refuse it after all, its failure reply
     * ends the transfer (see {@link #receive}), so nothing waits for bytes that never come.
     */
    public void sendAsyncTransfer(Call call, Pending p) throws SessionException {
        p.future.complete(ACCEPTED);
        pending.put(call.getCallId(), p);
        transfers.put(call.getCallId(), p);
        try {
            sendAsync(call);
        } catch (SessionException | RuntimeException e) {
            transfers.remove(call.getCallId());
            pending.remove(call.getCallId());
            throw e;
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
            awaitGate();
            if (broken != null) {
                pending.remove(call.getCallId());
                transfers.remove(call.getCallId());
                checkBroken();
            }
            sending++;
            try {
            flushLocked();
            for (BulkIn b : bulkIn) {
                if (sendOnSideChannel(call.getCallId(), b)) {
                    p.side.add(b);
                    continue;
                }
                sendChunks(call.getCallId(), b);
            }
            queued.add(call);
            flushLocked();
            } finally {
                sending--;
            }
        }
        try {
            Reply r = p.future.get();
            for (io.ava.proto.Output out : r.getOutputsList()) {
                if (out.getValue().hasBulkSize()) {
                    p.bulkDone(out.getSlot()).get(60, TimeUnit.SECONDS);
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

    /** Bulk input as chunks on the stream (sendLock held). */
    private void sendChunks(long callId, BulkIn b) {
        for (long off = 0; off < b.size(); off += CHUNK) {
            int len = (int) Math.min(CHUNK, b.size() - off);
            awaitReady();
            sendCounted(ClientMessage.newBuilder().setChunk(BulkChunk.newBuilder().setCallId(callId)
                    .setArg(b.arg()).setOffset(off).setTotal(b.size()).setData(b.region().read(off, len))
                    .setLast(off + len == b.size())).build());
        }
    }

    private boolean keepsSent() {
        return reconnectMillis > 0 && reconnectToken != null;
    }

    /** Sends a call batch or chunk; kept until the server has it when the session can reconnect (sendLock held). */
    private void sendCounted(ClientMessage m) {
        Link l = link;
        if (keepsSent()) {
            synchronized (resend) {
                resend.add(new Sent(++clientSeq, m));
            }
            try {
                l.wire.send(m);
            } catch (RuntimeException e) {
                // the stream broke: the message goes again once the connection is back
            }
            return;
        }
        l.wire.send(m);
    }

    /** The server has every call batch and chunk up to {@code seq}. */
    private void trimResend(long seq) {
        synchronized (resend) {
            while (!resend.isEmpty() && resend.peekFirst().seq() <= seq) {
                resend.pollFirst();
            }
        }
    }

    private BulkChannel openBulk(String address, io.ava.proto.Welcome w) {
        if (w.getBulkPort() == 0) {
            return null;
        }
        if (!w.getBulkPath().isEmpty()) {
            // the server's Unix domain socket: there only when the client runs on the server's host
            java.nio.file.Path local = java.nio.file.Path.of(w.getBulkPath());
            if (java.nio.file.Files.exists(local)) {
                try {
                    return BulkChannel.openLocal(local, w.getBulkToken().toByteArray(), pending::get);
                } catch (java.io.IOException e) {
                    // another host's path, or a socket that is gone: the TCP port below still works
                }
            }
        }
        String hostPort = DirectWire.hostPort(address);
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        try {
            return BulkChannel.open(host, w.getBulkPort(), w.getBulkToken().toByteArray(), pending::get);
        } catch (java.io.IOException e) {
            System.err.println("ava: bulk side channel to " + host + ":" + w.getBulkPort() + " unavailable ("
                    + e.getMessage() + "); large buffers go through gRPC");
            return null;
        }
    }

    private boolean sendOnSideChannel(long callId, BulkIn b) {
        Link l = link;
        BulkChannel side = l.bulk;
        if (side == null || !side.isOpen()) {
            return false;
        }
        try {
            side.send(callId, b.arg(), b.region(), b.size());
            return true;
        } catch (java.io.IOException e) {
            l.bulk = null;
            side.close();
            if (keepsSent()) {
                return false; // the bytes go through the stream instead (and again, if the connection dropped)
            }
            throw new IllegalStateException("ava: bulk side channel failed mid-transfer: " + e.getMessage(), e);
        }
    }

    /** Sends whatever is queued now (clFlush, exit). */
    public void flush() {
        synchronized (sendLock) {
            if (!gated) {
                flushLocked();
            }
        }
    }

    private void flushLocked() {
        if (queued.isEmpty() || broken != null) {
            queued.clear();
            return;
        }
        sending++;
        try {
            awaitReady();
            List<Call> batch = new ArrayList<>(queued);
            queued.clear();
            CallBatch.Builder b = CallBatch.newBuilder().addAllCalls(batch);
            if (keepsSent()) {
                b.setAck(link.in.ack());
            }
            sendCounted(ClientMessage.newBuilder().setCalls(b).build());
        } finally {
            sending--;
        }
    }

    /** While the session migrates, callers wait here (sendLock held; wait releases it). */
    private void awaitGate() {
        while (gated && broken == null) {
            try {
                sendLock.wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** gRPC flow control: hold the sender while the transport's buffer is full. */
    private void awaitReady() {
        while (!link.wire.isReady() && broken == null && !link.dead) {
            if (closingDeadline != 0 && System.nanoTime() > closingDeadline) {
                // at exit: a server that takes nothing more must not keep the JVM from ending
                fail(Status.DEADLINE_EXCEEDED.withDescription("the server took no more calls for "
                        + CLOSE_WAIT_SECONDS + " s while the program exited").asRuntimeException());
                return;
            }
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

    private void receive(ServerMessage m, Link from) {
        if (m.getAck() > 0 && from == link) {
            trimResend(m.getAck());
        }
        long seq = m.getSeq();
        if (seq > 0 && !from.in.isNew(seq)) {
            return; // processed before the connection dropped; the server sent it again
        }
        CompletableFuture<?> bytes = null;
        switch (m.getKindCase()) {
            case WELCOME:
                from.welcome.complete(m.getWelcome());
                break;
            case REPLIES:
                for (Reply r : m.getReplies().getRepliesList()) {
                    Pending p = pending.get(r.getCallId());
                    if (p != null && p.future.isDone()) {
                        // an asynchronous transfer the server refused: no bytes will come
                        transfers.remove(r.getCallId());
                        pending.remove(r.getCallId());
                        p.transfer.complete(io.ava.proto.TransferDone.newBuilder().setCallId(r.getCallId())
                                .setStatus((int) Math.min(-1, r.getResult())).build());
                        asyncFailures.failed(r);
                    } else if (p != null) {
                        for (io.ava.proto.Output out : r.getOutputsList()) {
                            if (out.getValue().hasBulkSize()) {
                                CompletableFuture<Void> f = p.bulkDone(out.getSlot());
                                bytes = bytes == null ? f : CompletableFuture.allOf(bytes, f);
                            }
                        }
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
                    if (p != null && t.getBulkSize() > 0) {
                        bytes = p.bulkDone(t.getArg());
                    }
                    if (p != null) {
                        if (!t.getData().isEmpty() && t.getArg() < p.outRegions.length && p.outRegions[t.getArg()] != null) {
                            p.outRegions[t.getArg()].write(0, t.getData());
                        }
                        p.transfer.complete(t);
                    }
                } else if (m.getPush().hasCallback()) {
                    pushListener.callback(m.getPush().getCallback());
                } else if (m.getPush().hasMigration()) {
                    io.ava.proto.MigrationNotice n = m.getPush().getMigration();
                    migrationThread.execute(() -> migrationNotice(n, from));
                }
                break;
            default:
                break;
        }
        if (seq > 0) {
            from.in.processed(seq, bytes);
        }
    }

    private void linkFailed(Link l, Throwable t) {
        l.failure = t;
        l.dead = true;
        l.welcome.completeExceptionally(t);
        synchronized (sendLock) {
            sendLock.notifyAll(); // senders waiting for flow control on this link
        }
        if (l != link || l == leaving) {
            return; // the server the session left: its end is expected
        }
        if (keepsSent() && closingDeadline == 0 && broken == null) {
            startReconnect(l, t);
            return;
        }
        fail(t);
    }

    // ---------------------------------------------------------------- reconnect

    /** The connection dropped: hold calls at the gate and get the session back on a new connection. */
    private void startReconnect(Link old, Throwable cause) {
        synchronized (sendLock) {
            if (reconnecting || broken != null) {
                return; // already at it (it checks the new link when it is done)
            }
            if (gated) {
                // a migration holds the gate: its own failure handling applies
                fail(cause);
                return;
            }
            reconnecting = true;
            gated = true;
            gatedSince = System.nanoTime();
        }
        Thread t = new Thread(() -> reconnect(old, cause), "ava-reconnect");
        t.setDaemon(true);
        t.start();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ");
    }

    private void reconnect(Link old, Throwable cause) {
        String server = target;
        System.err.println("ava: lost the connection to " + server + " (" + oneLine(describe(cause)) + "); reconnecting");
        old.shutdownNow();
        long start = System.nanoTime();
        long deadline = start + reconnectMillis * 1_000_000;
        long backoff = 100;
        String last = describe(cause);
        while (true) {
            Link next = new Link(server, old.in);
            Hello.Builder h = Hello.newBuilder().setReconnectToken(com.google.protobuf.ByteString.copyFrom(reconnectToken))
                    .setReceived(old.in.ack());
            for (Map.Entry<Long, Pending> e : pending.entrySet()) {
                if (!e.getValue().future.isDone()) {
                    for (BulkIn b : e.getValue().side) {
                        h.addBulkKeys(e.getKey() * 64 + b.arg());
                    }
                }
            }
            try {
                io.ava.proto.Welcome w = next.hello(h);
                resume(next, w, start);
                return;
            } catch (SessionException e) {
                next.shutdownNow();
                last = e.getMessage();
                if (last.startsWith("NOT_FOUND") || last.startsWith("UNAUTHENTICATED") || last.startsWith("FAILED_PRECONDITION")
                        || System.nanoTime() + backoff * 1_000_000 > deadline) {
                    break;
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = Math.min(backoff * 2, 1000);
        }
        synchronized (sendLock) {
            reconnecting = false;
        }
        fail(Status.UNAVAILABLE.withDescription("the connection dropped and the session could not be resumed within "
                + (System.nanoTime() - start) / 1_000_000 + " ms: " + oneLine(last)).asRuntimeException());
    }

    /** The server has the session again on {@code next}: send what it lacks, then open the gate. */
    private void resume(Link next, io.ava.proto.Welcome w, long start) {
        int calls = 0;
        int bulk = 0;
        synchronized (sendLock) {
            while (sending > 0 && broken == null) {
                try {
                    sendLock.wait(10); // senders still writing into the dead stream: they are kept, so let them finish
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            link = next;
            trimResend(w.getReceived());
            List<Sent> again;
            synchronized (resend) {
                again = new ArrayList<>(resend);
            }
            for (Sent s : again) {
                awaitReady();
                try {
                    next.wire.send(s.message());
                } catch (RuntimeException e) {
                    break; // dropped again: the next round sends it
                }
                calls += s.message().getCalls().getCallsCount();
            }
            for (long key : w.getMissingBulkList()) {
                Pending p = pending.get(key / 64);
                if (p == null) {
                    continue;
                }
                for (BulkIn b : p.side) {
                    if (b.arg() == key % 64) {
                        bulk++;
                        if (!sendOnSideChannel(key / 64, b)) {
                            sendChunks(key / 64, b);
                        }
                    }
                }
            }
            reconnecting = false;
            gated = false;
            sendLock.notifyAll();
        }
        System.err.println("ava: reconnected to " + next.address + " after " + (System.nanoTime() - start) / 1_000_000
                + " ms; resent " + calls + " calls" + (bulk > 0 ? " and " + bulk + " bulk transfers" : ""));
        if (next.dead) {
            startReconnect(next, next.failure);
        }
    }

    // ---------------------------------------------------------------- migration

    /**
     * AVA_MIGRATION_CALL_ID: asks the server to move this session to its default peer. The calls
     * queued so far go first; later calls wait until the session is on the peer (or stays here).
     */
    public void requestMigration() {
        synchronized (sendLock) {
            awaitGate();
            pause();
            link.wire.send(ClientMessage.newBuilder().setControl(io.ava.proto.Control.newBuilder()
                    .setMigrate(io.ava.proto.MigrateSelf.getDefaultInstance())).build());
        }
    }

    /** Stops calls at the gate, once every call already begun is on the wire (sendLock held). */
    private void pause() {
        while (sending > 0 && broken == null) {
            try {
                sendLock.wait(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        flushLocked();
        gated = true;
        gatedSince = System.nanoTime();
    }

    private void reopenGate() {
        synchronized (sendLock) {
            gated = false;
            sendLock.notifyAll();
        }
    }

    private void migrationNotice(io.ava.proto.MigrationNotice n, Link from) {
        switch (n.getKindCase()) {
            case PREPARE:
                synchronized (sendLock) {
                    if (!gated) {
                        pause();
                    }
                    from.wire.send(ClientMessage.newBuilder().setControl(io.ava.proto.Control.newBuilder()
                            .setQuiesced(true)).build());
                }
                break;
            case ABORTED:
                System.err.println("ava: live migration did not happen (" + n.getAborted() + "); the session stays on " + from.address);
                reopenGate();
                break;
            case REDIRECT:
                moveTo(n.getRedirect(), from);
                break;
            default:
                break;
        }
    }

    /** Resumes the session on the server the old one handed it to; on failure, stays where it was. */
    private void moveTo(io.ava.proto.Redirect r, Link old) {
        leaving = old;
        Link next = null;
        byte[] newToken;
        try {
            next = new Link(r.getAddress());
            io.ava.proto.Welcome w = next.hello(r.getResumeToken().toByteArray());
            newToken = w.getReconnectToken().isEmpty() ? null : w.getReconnectToken().toByteArray();
        } catch (SessionException | RuntimeException e) {
            if (next != null) {
                next.shutdown();
            }
            leaving = null;
            synchronized (sendLock) {
                old.wire.send(ClientMessage.newBuilder().setControl(io.ava.proto.Control.newBuilder()
                        .setResumeFailed(r.getAddress() + ": " + e.getMessage())).build());
            }
            System.err.println("ava: cannot resume the session on " + r.getAddress() + " (" + e.getMessage()
                    + "); it stays on " + old.address);
            reopenGate();
            return;
        }
        long waited;
        synchronized (sendLock) {
            link = next;
            synchronized (resend) {
                // the source ran every call before it handed the session over; the peer counts from scratch
                resend.clear();
                clientSeq = 0;
            }
            reconnectToken = newToken;
            target = r.getAddress();
            waited = (System.nanoTime() - gatedSince) / 1_000_000;
            gated = false;
            sendLock.notifyAll();
        }
        try {
            old.wire.complete();
        } catch (RuntimeException ignored) {
            // the old server already ended it
        }
        // the old bulk channel closes once the old server is done with it: bytes still in flight land
        old.wire.shutdown();
        System.err.println("ava: session " + sessionId + " moved from " + old.address + " to " + r.getAddress()
                + " (" + r.getTargetName() + "); calls waited " + waited + " ms");
    }

    private void fail(Throwable t) {
        if (broken == null) {
            broken = t;
        }
        link.welcome.completeExceptionally(t);
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
    private static final long CLOSE_WAIT_SECONDS = 10;
    private volatile long closingDeadline;

    public void close() {
        closingDeadline = System.nanoTime() + CLOSE_WAIT_SECONDS * 1_000_000_000L;
        Link l = link;
        try {
            flush();
            synchronized (sendLock) {
                if (broken == null) {
                    l.wire.complete();
                }
            }
        } catch (RuntimeException ignored) {
            // closing a broken stream
        }
        BulkChannel side = l.bulk;
        if (side != null) {
            side.close();
        }
        l.wire.shutdown();
        try {
            l.wire.awaitTermination(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        l.wire.shutdownNow();
    }

    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        String d = s.getDescription();
        Throwable cause = s.getCause();
        if (cause != null && cause.getMessage() != null && (d == null || d.equals("io exception"))) {
            // gRPC's transport errors say only "io exception": the cause says what happened (refused, reset)
            d = d == null ? cause.getMessage() : d + ": " + cause.getMessage();
        }
        return s.getCode() + (d != null ? ": " + d : "");
    }

    /** Input bytes too large to travel inside the call: sent ahead of it in chunks. */
    public record BulkIn(int arg, HostMemory.Region region, long size) {
    }
}
