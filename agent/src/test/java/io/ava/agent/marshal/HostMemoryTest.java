package io.ava.agent.marshal;

import com.google.protobuf.ByteString;
import org.jocl.Pointer;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pointer resolution follows JOCL's native rules exactly (see DESIGN.md, "JOCL facts"). */
class HostMemoryTest {
    private static ByteString le(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
        for (int v : values) {
            b.putInt(v);
        }
        return ByteString.copyFrom(b.array());
    }

    @Test
    void heapArrayWithByteOffset() {
        int[] a = {1, 2, 3, 4};
        HostMemory.Region r = HostMemory.resolve(Pointer.to(a).withByteOffset(8));
        assertEquals(8, r.available());
        assertEquals(le(3, 4), r.read(0, 8));
        r.write(0, le(30, 40));
        assertArrayEquals(new int[]{1, 2, 30, 40}, a);
    }

    @Test
    void heapBufferPositionAndArrayOffsetIgnored() {
        float[] f = {1f, 2f, 3f};
        FloatBuffer fb = FloatBuffer.wrap(f);
        fb.position(2);
        HostMemory.Region r = HostMemory.resolve(Pointer.to(fb));
        assertEquals(12, r.available(), "JOCL uses the whole backing array");
        IntBuffer sliced = IntBuffer.wrap(new int[]{5, 6, 7, 8}, 1, 3).slice();
        assertEquals(16, HostMemory.resolve(Pointer.to(sliced)).available());
    }

    @Test
    void directBufferPositionIgnoredAndByteOffsetApplied() {
        ByteBuffer d = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        d.putInt(0, 11).putInt(4, 22).putInt(8, 33);
        d.position(12);
        HostMemory.Region r = HostMemory.resolve(Pointer.to(d).withByteOffset(4));
        assertEquals(12, r.available());
        assertEquals(le(22, 33), r.read(0, 8));
        r.write(4, le(99));
        assertEquals(99, d.getInt(8));
    }

    @Test
    void writesPastTheMemoryAreRefused() {
        HostMemory.Region r = HostMemory.resolve(Pointer.to(new byte[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> r.write(2, ByteString.copyFrom(new byte[4])));
    }

    @Test
    void pointersToObjectsAreNotMemory() {
        Pointer p = Pointer.to(new cl_mem());
        assertTrue(Jocl.pointsToObjects(p));
        assertNull(HostMemory.resolve(p));
        assertNull(HostMemory.resolve(null));
    }
}
