package io.ava.server.dispatch;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectBuffersTest {
    @Test
    void smallSizesRoundToPowersOfTwoLargeOnesTo16MiB() {
        assertEquals(256 << 10, DirectBuffers.capacityFor(1));
        assertEquals(1 << 20, DirectBuffers.capacityFor((1 << 20) - 3));
        assertEquals(64 << 20, DirectBuffers.capacityFor(64 << 20));
        // 8193 x 8193 ints (nw's score matrix): 272 MiB, not the 512 MiB of the next power of two
        assertEquals(272 << 20, DirectBuffers.capacityFor(8193 * 8193 * 4));
    }

    @Test
    void releasedBuffersAreReusedWithinTheCacheLimit() {
        DirectBuffers pool = new DirectBuffers(8 << 20);
        ByteBuffer a = pool.acquire(3 << 20);
        assertEquals(3 << 20, a.capacity());
        a.putLong(0, 42);
        pool.release(a);
        assertEquals(4 << 20, pool.cachedBytes());
        ByteBuffer b = pool.acquire(4 << 20);
        assertEquals(42, b.getLong(0), "the same memory comes back");
        assertEquals(0, pool.cachedBytes());
        pool.release(b);
    }

    @Test
    void buffersBeyondTheCacheAreFreedNotKept() {
        DirectBuffers pool = new DirectBuffers(4 << 20);
        ByteBuffer big = pool.acquire(80 << 20);
        pool.release(big);
        assertEquals(0, pool.cachedBytes());
        ByteBuffer small = pool.acquire(1 << 20);
        pool.release(small);
        assertTrue(pool.cachedBytes() > 0);
        ByteBuffer foreign = ByteBuffer.allocateDirect(16);
        pool.release(foreign); // not ours: ignored
        assertEquals(1 << 20, pool.cachedBytes());
    }

    @Test
    void aReleasedBufferThatDoesNotFitEvictsTheOldestCachedOnes() {
        DirectBuffers pool = new DirectBuffers(8 << 20);
        ByteBuffer first = pool.acquire(2 << 20);
        ByteBuffer second = pool.acquire(2 << 20);
        ByteBuffer third = pool.acquire(1 << 20);
        second.putLong(0, 7);
        pool.release(first);
        pool.release(second);
        pool.release(third);
        assertEquals(5 << 20, pool.cachedBytes());
        // a program of another size: 4 MiB does not fit beside 5 MiB; the 2 MiB released first goes
        ByteBuffer other = pool.acquire(4 << 20);
        pool.release(other);
        assertEquals(1, pool.evictions());
        assertEquals(7 << 20, pool.cachedBytes());
        assertEquals(7, pool.acquire(2 << 20).getLong(0), "the 2 MiB released later is still cached");
        assertEquals(5 << 20, pool.cachedBytes());
        ByteBuffer again = pool.acquire(4 << 20);
        assertEquals(1 << 20, pool.cachedBytes(), "the 4 MiB came from the cache, not a new allocation");
        pool.release(again);
        assertEquals(1, pool.evictions());
    }
}
