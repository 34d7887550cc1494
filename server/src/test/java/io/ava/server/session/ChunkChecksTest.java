package io.ava.server.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Bulk chunks from the client are placed only where they fit (found by BadInputFuzzTest: a bad chunk killed the stream). */
class ChunkChecksTest {
    @Test
    void chunksInsideTheTransferFit() {
        assertNull(ServerSession.chunkOutside(0, 16, 16));
        assertNull(ServerSession.chunkOutside(8, 8, 16));
        assertNull(ServerSession.chunkOutside(16, 0, 16));
    }

    @Test
    void chunksOutsideOrOverflowingAreRefused() {
        assertNotNull(ServerSession.chunkOutside(1, 16, 16));
        assertNotNull(ServerSession.chunkOutside(17, 0, 16));
        assertNotNull(ServerSession.chunkOutside(-1, 4, 16)); // 2^64-1 on the wire
        assertNotNull(ServerSession.chunkOutside(Long.MAX_VALUE, 4, 16)); // offset + length overflows
        assertNotNull(ServerSession.chunkOutside(Long.MIN_VALUE, 4, 16));
    }
}
