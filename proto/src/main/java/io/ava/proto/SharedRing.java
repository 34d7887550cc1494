package io.ava.proto;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One direction of a bulk side channel's payloads through shared memory, for a client on the
 * server's host: a ring in a file under /dev/shm that both processes map.
 *
 * <p>Why: on a small VM, moving bytes through a Unix socket cost about 2 ms per MB (200 MB in 0.33
 * s), where copying them in memory cost 0.06 ms per MB. The socket still carries the frame header
 * and, per chunk, a 4-byte notice (its length), which wakes the reader as before; the bytes go
 * through the ring. The writer copies a chunk in at its position and sends the notice; the reader
 * copies the chunk out and publishes its position, which the writer waits on when the ring is full.
 * Positions only grow; a chunk never wraps (the writer shortens it at the ring's end), so both
 * sides compute the same offsets from the same sequence of lengths.
 *
 * <p>The reader trusts nothing in the ring but its bounds: a notice is checked against the chunk
 * size and the ring's end before any byte is read.
 */
public final class SharedRing implements AutoCloseable {
    /** bytes of payload the ring holds: small, as each side pays a page fault per 4 KiB once */
    public static final int CAPACITY = 4 << 20;
    /** the most one notice announces */
    public static final int CHUNK = 1 << 20;
    /** payloads smaller than this go through the socket: the ring saves nothing on them */
    public static final long MIN_PAYLOAD = 256 << 10;
    /** set in a frame header's argument when its payload comes through the ring */
    public static final int RING_FLAG = 1 << 30;
    /** the frame header's call id of a control frame (the ring offer, and its answer) */
    public static final long CONTROL_CALL = -2;
    private static final int HEADER = 64; // the reader's position, alone on its cache line
    /** a notice on the socket: the chunk's length, big-endian as the frame header */
    private static final int NOTICE = 4;
    private static final long FILE_SIZE = HEADER + (long) CAPACITY;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final long STALL_NANOS = 30_000_000_000L;

    private final Path path;
    private final MappedByteBuffer map;
    /** the writer's position (writer side) or the reader's (reader side); one thread at a time uses it */
    private long position;

    private SharedRing(Path path, MappedByteBuffer map) {
        this.path = path;
        this.map = map;
    }

    /** A new ring file in {@code dir} (normally /dev/shm), mapped. */
    public static SharedRing create(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "ava-ring-", ".shm");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.truncate(FILE_SIZE); // a sparse file: pages come as they are first touched
            ch.write(ByteBuffer.wrap(new byte[] {0}), FILE_SIZE - 1);
            return new SharedRing(file, ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * The peer's ring at {@code path}: only a regular file named {@code ava-ring-*.shm} of exactly
     * the ring's size, so that a client cannot have the server map anything else.
     */
    public static SharedRing open(Path path) throws IOException {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (!name.startsWith("ava-ring-") || !name.endsWith(".shm") || !Files.isRegularFile(path)
                || Files.isSymbolicLink(path) || Files.size(path) != FILE_SIZE) {
            throw new IOException("not a ring file: " + path);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new SharedRing(path, ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE));
        }
    }

    public Path path() {
        return path;
    }

    /** Removes the file; both sides keep their mappings. */
    public void unlink() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // in /dev/shm, removed at reboot at the latest
        }
    }

    // ------------------------------------------------------------------ writer

    /**
     * Writer: room for up to {@code want} bytes (at most {@link #CHUNK}, never past the ring's end),
     * waiting while the reader has not yet taken enough; the buffer to fill, of exactly the length
     * to announce. {@code open} is asked while waiting: false ends the wait with an IOException.
     */
    public ByteBuffer claim(long want, BooleanSupplier open) throws IOException {
        int offset = (int) (position % CAPACITY);
        int n = (int) Math.min(Math.min(want, CHUNK), CAPACITY - offset);
        long deadline = 0;
        long pause = 1_000;
        while (position + n - readerPosition() > CAPACITY) {
            if (!open.getAsBoolean()) {
                throw new IOException("the bulk channel closed");
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + STALL_NANOS;
            } else if (now > deadline) {
                throw new IOException("the peer took no bulk bytes for 30 s");
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 200_000);
        }
        return map.slice(HEADER + offset, n);
    }

    /** Writer: the claimed {@code n} bytes are in place; the notice may go out. */
    public void commit(int n) {
        position += n;
    }

    /** Writer: {@link #commit}s the claimed {@code n} bytes and sends their notice on the socket. */
    public void commit(int n, WritableByteChannel socket) throws IOException {
        commit(n);
        ByteBuffer notice = ByteBuffer.allocate(NOTICE).order(ByteOrder.BIG_ENDIAN).putInt(n).flip();
        while (notice.hasRemaining()) {
            socket.write(notice);
        }
    }

    // ------------------------------------------------------------------ reader

    /** Reader: the {@code n} bytes a notice announced, after checking it; then {@link #release}. */
    public ByteBuffer next(int n) throws IOException {
        int offset = (int) (position % CAPACITY);
        if (n <= 0 || n > CHUNK || n > CAPACITY - offset) {
            throw new IOException("bad ring notice: " + n + " bytes at " + offset);
        }
        return map.slice(HEADER + offset, n);
    }

    /**
     * Reader: the next chunk of a payload with {@code left} bytes still to come, after reading its notice
     * from the socket and checking it; null at the socket's end. Then {@link #release}.
     */
    public ByteBuffer receive(ReadableByteChannel socket, long left) throws IOException {
        ByteBuffer notice = ByteBuffer.allocate(NOTICE).order(ByteOrder.BIG_ENDIAN);
        while (notice.hasRemaining()) {
            if (socket.read(notice) < 0) {
                return null;
            }
        }
        int n = notice.flip().getInt();
        if (n > left) {
            throw new IOException("ring notice of " + n + " bytes past the payload's end");
        }
        return next(n);
    }

    /** Reader: the chunk is copied out; its room goes back to the writer. */
    public void release(int n) {
        position += n;
        LONGS.setRelease(map, 0, position);
    }

    private long readerPosition() {
        return (long) LONGS.getAcquire(map, 0);
    }

    @Override
    public void close() {
        // a MappedByteBuffer is unmapped by the GC; the file may be unlinked already
        unlink();
    }
}
