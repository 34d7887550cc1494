package io.ava.server.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class SourceLengthsTest {
    @Test
    void lengthsWithinTheirStringsPass() {
        assertNull(CallChecks.sourceLengthsOutside(new String[]{"abc", "\u00e9"}, new long[]{3, 2}, 2));
        assertNull(CallChecks.sourceLengthsOutside(new String[]{"abc"}, new long[]{0}, 1)); // 0: up to the NUL
        assertNull(CallChecks.sourceLengthsOutside(new String[]{"abc"}, null, 1));
    }

    @Test
    void lengthsPastTheStringAreRefused() {
        assertNotNull(CallChecks.sourceLengthsOutside(new String[]{"abc"}, new long[]{4}, 1));
        assertNotNull(CallChecks.sourceLengthsOutside(new String[]{"abc"}, new long[]{-1}, 1));
        assertNotNull(CallChecks.sourceLengthsOutside(new String[]{"a", "b"}, new long[]{1}, 2));
        assertNotNull(CallChecks.sourceLengthsOutside(null, new long[]{9, 10}, 3)); // PoCL read the missing strings
        assertNotNull(CallChecks.sourceLengthsOutside(new String[]{"a"}, null, 0));
    }
}
