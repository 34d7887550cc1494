package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;
import io.ava.proto.SharedRing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongFunction;

/**
 * The client end of the bulk side channel (see the server's BulkListener): large buffers move
 * here as raw bytes, staged through one direct buffer, so each byte is copied once on each side.
 * On a Unix channel, payloads of {@link SharedRing#MIN_PAYLOAD} or more go through shared-memory
 * rings instead, once the server has taken them; the socket then carries only their notices.
 */
final class BulkChannel {
    private static final int HEADER = 20;
    private static final int STAGE = 1 << 20;

    private final SocketChannel channel;
    private final LongFunction<RemoteSession.Pending> pending;
    private final Object writeLock = new Object();
    private final ByteBuffer writeStage = ByteBuffer.allocateDirect(STAGE);
    private volatile boolean open = true;
    /** rings offered to the server (local channel only), until it answers */
    private volatile SharedRing[] offered;
    /** payloads to the server go through this ring once the server took it (see SharedRing) */
    private volatile SharedRing toServer;
    /** the ring the server's flagged payloads come through (ours: we made it) */
    private volatile SharedRing fromServer;

    private BulkChannel(SocketChannel channel, LongFunction<RemoteSession.Pending> pending) {
        this.channel = channel;
        this.pending = pending;
        Thread reader = new Thread(this::readLoop, "ava-bulk-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static BulkChannel open(String host, int port, byte[] token, LongFunction<RemoteSession.Pending> pending)
            throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(new InetSocketAddress(host, port), 5_000);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().setSoTimeout(10_000);
            return handshake(ch, token, pending);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** The channel on the server's Unix domain socket, for a client on the server's host. */
    static BulkChannel openLocal(Path path, byte[] token, LongFunction<RemoteSession.Pending> pending) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            BulkChannel c = handshake(ch, token, pending);
            c.offerRings();
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private static BulkChannel handshake(SocketChannel ch, byte[] token, LongFunction<RemoteSession.Pending> pending)
            throws IOException {
        ByteBuffer t = ByteBuffer.wrap(token);
        while (t.hasRemaining()) {
            ch.write(t);
        }
        ByteBuffer ack = ByteBuffer.allocate(1);
        while (ack.hasRemaining()) {
            if (ch.read(ack) < 0) {
                throw new IOException("the server refused the bulk channel");
            }
        }
        return new BulkChannel(ch, pending);
    }

    boolean isOpen() {
        return open;
    }

    /** Where the rings go: /dev/shm, memory whatever the machine's disks (none: payloads stay on the socket). */
    static final Path RING_DIR = Path.of(System.getProperty("ava.ring.dir", "/dev/shm"));

    /**
     * On a Unix channel (the server is on this host): offers the server a ring each way for large payloads
     * (SharedRing says why). Until the server answers, payloads go through the socket as before.
     */
    private void offerRings() {
        if (!Files.isDirectory(RING_DIR) || !Files.isWritable(RING_DIR)) {
            return;
        }
        SharedRing up = null;
        SharedRing down = null;
        try {
            up = SharedRing.create(RING_DIR);
            down = SharedRing.create(RING_DIR);
            byte[] paths = (up.path() + "\n" + down.path()).getBytes(StandardCharsets.UTF_8);
            offered = new SharedRing[] {up, down};
            fromServer = down;
            synchronized (writeLock) {
                ByteBuffer frame = ByteBuffer.allocate(HEADER + paths.length).order(ByteOrder.BIG_ENDIAN);
                frame.putLong(SharedRing.CONTROL_CALL).putInt(0).putLong(paths.length).put(paths).flip();
                writeFully(frame);
            }
        } catch (IOException | RuntimeException e) {
            // no rings: the socket carries everything
            offered = null;
            fromServer = null;
            if (up != null) {
                up.close();
            }
            if (down != null) {
                down.close();
            }
        }
    }

    /** The server's answer to the offer: it mapped both rings, or neither. */
    private void ringsAnswered(boolean accepted) {
        SharedRing[] rings = offered;
        offered = null;
        if (rings == null) {
            return;
        }
        for (SharedRing r : rings) {
            r.unlink(); // both sides have them mapped now, or the server never will
        }
        if (accepted) {
            toServer = rings[0];
        } else {
            fromServer = null;
        }
    }

    /** Sends {@code size} bytes of the application's memory as input {@code arg} of a call. */
    void send(long callId, int arg, HostMemory.Region region, long size) throws IOException {
        synchronized (writeLock) {
            SharedRing ring = size >= SharedRing.MIN_PAYLOAD ? toServer : null;
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
            header.putLong(callId).putInt(ring != null ? arg | SharedRing.RING_FLAG : arg).putLong(size).flip();
            writeFully(header);
            if (ring != null) {
                sendThroughRing(ring, region, size);
                return;
            }
            long stage = HostMemory.address(writeStage);
            for (long off = 0; off < size; off += STAGE) {
                int n = (int) Math.min(STAGE, size - off);
                ByteBuffer own = region.slice(off, n);
                if (own != null) {
                    writeFully(own); // the application's direct buffer: straight to the socket
                    continue;
                }
                region.readTo(off, stage, n);
                writeStage.clear().limit(n);
                writeFully(writeStage);
            }
        }
    }

    private void sendThroughRing(SharedRing ring, HostMemory.Region region, long size) throws IOException {
        for (long off = 0; off < size; ) {
            ByteBuffer slot = ring.claim(size - off, this::isOpen);
            int n = slot.remaining();
            ByteBuffer own = region.slice(off, n);
            if (own != null) {
                slot.put(own);
            } else {
                region.readTo(off, HostMemory.address(slot), n);
            }
            ring.commit(n, channel);
            off += n;
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer stage = ByteBuffer.allocateDirect(STAGE);
        long stageAddress = HostMemory.address(stage);
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
                    ringsAnswered(arg == 1);
                    continue;
                }
                boolean viaRing = (arg & SharedRing.RING_FLAG) != 0;
                arg &= ~SharedRing.RING_FLAG;
                RemoteSession.Pending p = pending.apply(callId);
                HostMemory.Region region = p != null && arg >= 0 && arg < p.outRegions.length ? p.outRegions[arg] : null;
                if (viaRing) {
                    if (!receiveThroughRing(region, size)) {
                        return;
                    }
                    if (p != null) {
                        p.bulkDone(arg).complete(null);
                    }
                    continue;
                }
                for (long off = 0; off < size; off += STAGE) {
                    int n = (int) Math.min(STAGE, size - off);
                    ByteBuffer own = region != null ? region.slice(off, n) : null;
                    if (own != null) {
                        // the application's direct buffer: filled straight from the socket
                        if (!readFully(own)) {
                            return;
                        }
                        continue;
                    }
                    stage.clear().limit(n);
                    if (!readFully(stage)) {
                        return;
                    }
                    if (region != null && off + n <= region.available()) {
                        region.writeFrom(off, stageAddress, n);
                    }
                }
                if (p != null) {
                    p.bulkDone(arg).complete(null);
                }
            }
        } catch (IOException e) {
            // closed; calls waiting on bulk data fail through the gRPC stream
        } finally {
            open = false;
        }
    }

    /** A flagged payload: its chunks' notices from the socket, their bytes from the ring. */
    private boolean receiveThroughRing(HostMemory.Region region, long size) throws IOException {
        SharedRing ring = fromServer;
        if (ring == null) {
            throw new IOException("the server sent a ring payload without a ring");
        }
        for (long off = 0; off < size; ) {
            ByteBuffer chunk = ring.receive(channel, size - off);
            if (chunk == null) {
                return false;
            }
            int n = chunk.remaining();
            ByteBuffer own = region != null ? region.slice(off, n) : null;
            if (own != null) {
                own.put(chunk);
            } else if (region != null && off + n <= region.available()) {
                region.writeFrom(off, HostMemory.address(chunk), n);
            }
            ring.release(n);
            off += n;
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

    void close() {
        open = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
