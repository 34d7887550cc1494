package io.ava.server.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * One session's side channel. Frames are a 20-byte header (call id, argument, size) and the raw
 * bytes. Inbound frames are read straight into a direct buffer the native call then uses;
 * outbound ones are written straight from the driver's output buffer.
 */
final class BulkConnection {
    static final int HEADER = 20;

    private final SocketChannel channel;
    private final ServerSession session;
    private final Object writeLock = new Object();

    BulkConnection(SocketChannel channel, ServerSession session) {
        this.channel = channel;
        this.session = session;
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
                if (size < 0) {
                    session.bulkFailed(callId, arg, "bulk transfer of " + size + " bytes refused");
                    close(); // the framing is broken
                    return;
                }
                // checked before anything is allocated; waits (reads no more) while the session has too much in flight
                String refusal = session.admitBulk(callId, arg, size);
                if (refusal != null) {
                    session.bulkFailed(callId, arg, refusal);
                    if (!skip(size)) { // the bytes are read and dropped: the channel stays usable
                        return;
                    }
                    continue;
                }
                ByteBuffer data = io.ava.server.dispatch.DirectBuffers.SHARED.acquire((int) size);
                if (!readFully(data)) {
                    return;
                }
                data.clear();
                session.metrics().bytes(io.ava.server.metrics.Traffic.BULK_IN, size);
                session.bulkArrived(callId, arg, data);
            }
        } catch (IOException e) {
            // the client went away; the gRPC stream tells the session
        } finally {
            close();
        }
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
            while (header.hasRemaining()) {
                channel.write(header);
            }
            long size = d.remaining();
            while (d.hasRemaining()) {
                channel.write(d);
            }
            session.metrics().bytes(io.ava.server.metrics.Traffic.BULK_OUT, size);
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
