package io.ava.server.handles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ava.server.dispatch.ClError;
import io.ava.server.dispatch.Limits;
import io.ava.spec.HandleType;
import org.jocl.cl_context;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Test;

/** The limit accounting of a session's handle table: no native code, fake objects. */
class LimitAccountingTest {
    private static long next = 0x1000;

    private static cl_mem mem() {
        return fake(new cl_mem());
    }

    private static <T extends org.jocl.NativePointerObject> T fake(T o) {
        try {
            java.lang.reflect.Field f = org.jocl.NativePointerObject.class.getDeclaredField("nativePointer");
            f.setAccessible(true);
            f.setLong(o, next += 0x100);
            return o;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static final Limits MB = new Limits(1 << 20, 5, Limits.DEFAULT_INFLIGHT);

    @Test
    void memoryIsChargedAndGivenBackWhenTheLastReferenceGoes() throws ClError {
        HandleTable t = new HandleTable();
        t.reserve(600_000, 1, MB);
        HandleEntry a = t.bind(1, HandleType.cl_mem, mem(), 600_000, null, 600_000, 0);
        t.unreserve(600_000, 1);
        assertEquals(600_000, t.bytesHeld());
        assertEquals(1, t.liveObjects());
        ClError e = assertThrows(ClError.class, () -> t.reserve(500_000, 1, MB));
        assertEquals(Limits.CL_MEM_OBJECT_ALLOCATION_FAILURE, e.code());
        t.retained(a);
        t.released(a);
        assertEquals(600_000, t.bytesHeld(), "one reference is still held");
        t.released(a);
        assertEquals(0, t.bytesHeld());
        assertEquals(0, t.liveObjects());
        t.reserve(1 << 20, 1, MB); // all of it, now
    }

    @Test
    void subBuffersAddNothingAndKeepTheirBufferCounted() throws ClError {
        HandleTable t = new HandleTable();
        HandleEntry a = t.bind(1, HandleType.cl_mem, mem(), 1000, null, 1000, 0);
        HandleEntry s1 = t.bind(2, HandleType.cl_mem, mem(), 100, null, 0, 1);
        HandleEntry s2 = t.bind(3, HandleType.cl_mem, mem(), 100, null, 0, 1);
        assertEquals(1000, t.bytesHeld());
        assertEquals(3, t.liveObjects());
        t.released(a);
        assertEquals(1000, t.bytesHeld(), "the sub-buffers keep the buffer");
        assertEquals(2, t.liveObjects());
        t.released(s1);
        assertEquals(1000, t.bytesHeld());
        t.released(s2);
        assertEquals(0, t.bytesHeld());
        assertEquals(0, t.liveObjects());
    }

    @Test
    void objectLimitCountsLiveHandlesAndPendingCreations() throws ClError {
        HandleTable t = new HandleTable();
        for (int i = 1; i <= 4; i++) {
            t.bind(i, HandleType.cl_context, fake(new cl_context()), 0, null);
        }
        t.reserve(0, 1, MB); // the fifth, granted to a call still running
        ClError e = assertThrows(ClError.class, () -> t.reserve(0, 1, MB));
        assertEquals(Limits.CL_OUT_OF_RESOURCES, e.code());
        t.unreserve(0, 1);
        t.released(t.find(1));
        t.reserve(0, 2, MB);
    }

    @Test
    void svmAndClearAreAccounted() {
        HandleTable t = new HandleTable();
        t.svmAllocated(7, new HandleTable.SvmAllocation(null, 4096, null));
        t.bind(1, HandleType.cl_mem, mem(), 10, null, 10, 0);
        assertEquals(4106, t.bytesHeld());
        t.svmFreed(7);
        assertEquals(10, t.bytesHeld());
        t.clear();
        assertEquals(0, t.bytesHeld());
        assertEquals(0, t.liveObjects());
    }

    @Test
    void sizesParseAsPeopleWriteThem() {
        assertEquals(512L << 20, Limits.parseSize("512m"));
        assertEquals(2L << 30, Limits.parseSize("2g"));
        assertEquals(2L << 30, Limits.parseSize("2GiB"));
        assertEquals(64L << 10, Limits.parseSize("64K"));
        assertEquals(12345, Limits.parseSize("12345"));
        assertEquals(Limits.UNLIMITED, Limits.parseSize("unlimited"));
        assertThrows(IllegalArgumentException.class, () -> Limits.parseSize("lots"));
        assertThrows(IllegalArgumentException.class, () -> Limits.parseSize("-1m"));
        assertEquals("1 MiB", Limits.describe(1 << 20));
    }
}
