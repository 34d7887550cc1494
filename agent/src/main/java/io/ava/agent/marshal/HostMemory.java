package io.ava.agent.marshal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import org.jocl.Pointer;
import sun.misc.Unsafe;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The application memory a JOCL Pointer names, resolved exactly as JOCL's native code does: a
 * direct buffer's address plus byteOffset (position ignored), or a heap buffer's whole backing
 * array plus byteOffset (position and arrayOffset ignored). Copies go through Unsafe so one
 * code path serves every primitive array type in native byte order.
 */
public final class HostMemory {
    private static final Unsafe UNSAFE;
    private static final long ADDRESS_OFFSET;
    private static final long BYTE_BASE;

    static {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = (Unsafe) f.get(null);
            ADDRESS_OFFSET = UNSAFE.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            BYTE_BASE = Unsafe.ARRAY_BYTE_BASE_OFFSET;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Memory of the application: base object (null for native memory), offset and bytes available;
     * {@code direct} is the application's direct ByteBuffer when the memory is one (else null), so
     * sockets can fill or drain it without a staging copy, and it stays reachable while in use.
     */
    public record Region(Object base, long offset, long available, ByteBuffer direct) {
        public Region(Object base, long offset, long available) {
            this(base, offset, available, null);
        }

        /** {@code n} bytes of the region from {@code at} as a ByteBuffer, or null when it is not a direct ByteBuffer. */
        public ByteBuffer slice(long at, int n) {
            if (direct == null || at < 0 || n < 0 || at + n > available) {
                return null;
            }
            long position = offset - HostMemory.address(direct) + at;
            ByteBuffer b = direct.duplicate();
            b.clear();
            return b.position((int) position).limit((int) position + n);
        }

        /** Copies {@code size} bytes starting {@code at} into a fresh ByteString. */
        public ByteString read(long at, int size) {
            byte[] b = new byte[size];
            UNSAFE.copyMemory(base, offset + at, b, BYTE_BASE, size);
            return UnsafeByteOperations.unsafeWrap(b);
        }

        /** Writes bytes into the application's memory at {@code at}. */
        public void write(long at, ByteString data) {
            int n = data.size();
            if (at < 0 || at + n > available) {
                throw new IndexOutOfBoundsException("write of " + n + " bytes at " + at + " past " + available);
            }
            if (base instanceof byte[]) {
                data.copyTo((byte[]) base, (int) (offset - BYTE_BASE + at));
                return;
            }
            byte[] tmp = new byte[Math.min(n, 1 << 16)];
            for (int done = 0; done < n; done += tmp.length) {
                int len = Math.min(tmp.length, n - done);
                data.copyTo(tmp, done, 0, len);
                UNSAFE.copyMemory(tmp, BYTE_BASE, base, offset + at + done, len);
            }
        }

        /** Copies {@code n} bytes from native memory into the application's memory at {@code at}. */
        public void writeFrom(long at, long sourceAddress, int n) {
            if (at < 0 || at + n > available) {
                throw new IndexOutOfBoundsException("write of " + n + " bytes at " + at + " past " + available);
            }
            UNSAFE.copyMemory(null, sourceAddress, base, offset + at, n);
        }

        /** Copies {@code n} bytes of the application's memory at {@code at} into native memory. */
        public void readTo(long at, long targetAddress, int n) {
            UNSAFE.copyMemory(base, offset + at, null, targetAddress, n);
        }

        public void writeLong(long at, long value) {
            if (at < 0 || at + 8 > available) {
                throw new IndexOutOfBoundsException();
            }
            UNSAFE.putLong(base, offset + at, value);
        }
    }

    private HostMemory() {
    }

    /** The memory a Pointer names, or null for a null pointer or a pointer to objects. */
    public static Region resolve(Pointer p) {
        if (p == null) {
            return null;
        }
        Buffer buffer = Jocl.buffer(p);
        if (buffer == null) {
            return null;
        }
        long byteOffset = Jocl.byteOffset(p);
        int scale = elementSize(buffer);
        long capacity = (long) buffer.capacity() * scale;
        if (buffer.isDirect()) {
            long address = UNSAFE.getLong(buffer, ADDRESS_OFFSET);
            return new Region(null, address + byteOffset, capacity - byteOffset,
                    buffer instanceof ByteBuffer ? (ByteBuffer) buffer : null);
        }
        if (!buffer.hasArray()) {
            throw new IllegalArgumentException("a read-only heap buffer cannot be used as OpenCL host memory");
        }
        Object array = buffer.array();
        long base = UNSAFE.arrayBaseOffset(array.getClass());
        long whole = (long) java.lang.reflect.Array.getLength(array) * scale;
        return new Region(array, base + byteOffset, whole - byteOffset);
    }

    /** The native address of a direct buffer (position ignored). */
    public static long address(ByteBuffer direct) {
        return UNSAFE.getLong(direct, ADDRESS_OFFSET);
    }

    private static int elementSize(Buffer b) {
        if (b instanceof ByteBuffer) {
            return 1;
        }
        if (b instanceof IntBuffer || b instanceof FloatBuffer) {
            return 4;
        }
        if (b instanceof LongBuffer || b instanceof DoubleBuffer) {
            return 8;
        }
        if (b instanceof ShortBuffer || b instanceof CharBuffer) {
            return 2;
        }
        throw new IllegalArgumentException("unknown buffer type " + b.getClass());
    }
}
