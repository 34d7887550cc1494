package io.ava.server.session;

import io.ava.proto.SharedRing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * One session's side channel. Frames are a 20-byte header (call id, argument, size) and the raw
 * bytes. Inbound frames are read straight into a direct buffer the native call then uses;
 * outbound ones are written straight from the driver's output buffer. A client on this host may
 * offer shared-memory rings (SharedRing); large payloads then go through them, flagged in the header.
 */
final class BulkConnection {
    static final int HEADER = 20;

    /** the most a ring offer's payload (two paths) may hold */
    private static final int MAX_OFFER = 4096;

    private final SocketChannel channel;
    private final ServerSession session;
    private final Object writeLock = new Object();
    private final boolean local;
    private volatile boolean closed;
    /** the client's rings (SharedRing), once it offered them on a local channel: its payloads, ours */
    private SharedRing fromClient;
    private volatile SharedRing toClient;

    BulkConnection(SocketChannel channel, ServerSession session, boolean local) {
        this.channel = channel;
        this.session = session;
        this.local = local;
        Thread reader = new Thread(this::readLoop, "ava-bulk-" + session.id());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        try {
            while (true) {
                header.clear();
                if (!readFully(header)) {
                    return;
                }
                header.flip();
                long callId = header.getLong();
                int arg = header.getInt();
                long size = header.getLong();
                if (callId == SharedRing.CONTROL_CALL) {
                    if (!takeRings(size)) {
                        return;
                    }
                    continue;
                }
                boolean viaRing = (arg & SharedRing.RING_FLAG) != 0;
                arg &= ~SharedRing.RING_FLAG;
                if (viaRing && fromClient == null) {
                    session.bulkFailed(callId, arg, "a ring payload without a ring");
                    close();
                    return;
                }
                if (size < 0) {
                    session.bulkFailed(callId, arg, "bulk transfer of " + size + " bytes refused");
                    close(); // the framing is broken
                    return;
                }
                // checked before anything is allocated; waits (reads no more) while the session has too much in flight
                String refusal = session.admitBulk(callId, arg, size);
                if (refusal != null) {
                    session.bulkFailed(callId, arg, refusal);
                    if (!(viaRing ? receiveThroughRing(null, size) : skip(size))) { // read and dropped: the channel stays usable
                        return;
                    }
                    continue;
                }
                ByteBuffer data = io.ava.server.dispatch.DirectBuffers.SHARED.acquire((int) size);
                if (!(viaRing ? receiveThroughRing(data, size) : readFully(data))) {
                    return;
                }
                data.clear();
                session.metrics().bytes(io.ava.server.metrics.Traffic.BULK_IN, size);
                session.bulkArrived(callId, arg, data);
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // the client went away (the gRPC stream tells the session), or broke the framing or its ring
            // (InternalError: a fault in mapped memory, as when the client truncated its ring file)
        } finally {
            close();
        }
    }

    /**
     * The client's offer of two rings (their paths, one per line): mapped and answered with a control frame
     * that says whether we took them. Only on the Unix channel, where the client is on this host.
     */
    private boolean takeRings(long size) throws IOException {
        if (size < 0 || size > MAX_OFFER) {
            close(); // the framing is broken
            return false;
        }
        ByteBuffer offer = ByteBuffer.allocate((int) size);
        if (!readFully(offer)) {
            return false;
        }
        String[] paths = new String(offer.array(), java.nio.charset.StandardCharsets.UTF_8).split("\n");
        boolean accepted = false;
        String why = !local ? "tcp-channel" : paths.length != 2 ? "bad-offer" : fromClient != null ? "offered-twice" : "ok";
        if (local && paths.length == 2 && fromClient == null) {
            try {
                SharedRing in = SharedRing.open(java.nio.file.Path.of(paths[0]));
                SharedRing out = SharedRing.open(java.nio.file.Path.of(paths[1]));
                fromClient = in;
                toClient = out;
                accepted = true;
            } catch (IOException | RuntimeException e) {
                // not taken (another mount namespace, say): the payloads stay on the socket; the client removes its files
                why = String.valueOf(e.getMessage());
            }
        }
        session.bulkRings(accepted, why);
        ByteBuffer answer = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        answer.putLong(SharedRing.CONTROL_CALL).putInt(accepted ? 1 : 0).putLong(0).flip();
        synchronized (writeLock) {
            while (answer.hasRemaining()) {
                channel.write(answer);
            }
        }
        return true;
    }

    /** A flagged payload: its chunks' notices from the socket, their bytes from the client's ring into {@code data}. */
    private boolean receiveThroughRing(ByteBuffer data, long size) throws IOException {
        for (long off = 0; off < size; ) {
            ByteBuffer chunk = fromClient.receive(channel, size - off);
            if (chunk == null) {
                return false;
            }
            int n = chunk.remaining();
            if (data != null) {
                data.put(chunk);
            }
            fromClient.release(n);
            off += n;
        }
        return true;
    }

    /** Reads and drops {@code size} bytes through a small buffer. */
    private boolean skip(long size) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(64 << 10);
        long left = size;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            int n = channel.read(scratch);
            if (n < 0) {
                return false;
            }
            left -= n;
        }
        return true;
    }

    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Sends an output buffer; the reply that names it follows on the gRPC stream. */
    void write(long callId, int arg, ByteBuffer data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer d = data.duplicate();
        d.clear();
        header.putLong(callId).putInt(arg).putLong(d.remaining()).flip();
        synchronized (writeLock) {
            long size = d.remaining();
            SharedRing ring = size >= SharedRing.MIN_PAYLOAD ? toClient : null;
            if (ring != null) {
                header.putInt(8, arg | SharedRing.RING_FLAG);
            }
            while (header.hasRemaining()) {
                channel.write(header);
            }
            if (ring != null) {
                while (d.hasRemaining()) {
                    ByteBuffer slot = ring.claim(d.remaining(), () -> !closed);
                    int n = slot.remaining();
                    try {
                        slot.put(d.slice(d.position(), n));
                    } catch (InternalError e) {
                        // a fault in the mapped file (the client truncated it): this side channel is done
                        close();
                        throw new IOException("the client's ring failed: " + e.getMessage());
                    }
                    d.position(d.position() + n);
                    ring.commit(n, channel);
                }
            } else {
                while (d.hasRemaining()) {
                    channel.write(d);
                }
            }
            session.metrics().bytes(io.ava.server.metrics.Traffic.BULK_OUT, size);
        }
    }

    void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
