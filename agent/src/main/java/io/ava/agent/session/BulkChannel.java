package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.LongFunction;

/**
 * The client end of the bulk side channel (see the server's BulkListener): large buffers move
 * here as raw bytes, staged through one direct buffer, so each byte is copied once on each side.
 */
final class BulkChannel {
    private static final int HEADER = 20;
    private static final int STAGE = 1 << 20;

    private final SocketChannel channel;
    private final LongFunction<RemoteSession.Pending> pending;
    private final Object writeLock = new Object();
    private final ByteBuffer writeStage = ByteBuffer.allocateDirect(STAGE);
    private volatile boolean open = true;

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
            return handshake(ch, token, pending);
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

    /** Sends {@code size} bytes of the application's memory as input {@code arg} of a call. */
    void send(long callId, int arg, HostMemory.Region region, long size) throws IOException {
        synchronized (writeLock) {
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
            header.putLong(callId).putInt(arg).putLong(size).flip();
            writeFully(header);
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
                RemoteSession.Pending p = pending.apply(callId);
                HostMemory.Region region = p != null && arg >= 0 && arg < p.outRegions.length ? p.outRegions[arg] : null;
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
