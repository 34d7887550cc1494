package io.ava.agent.interception;

import io.ava.spec.Spec;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rewrite shipped in the jar is the one Byte Buddy makes, and only for the CL.class it was made from. */
class PrebuiltRewriteTest {
    private static byte[] joclCl() throws Exception {
        try (InputStream in = ClassLoader.getSystemResourceAsStream("org/jocl/CL.class")) {
            assertNotNull(in, "JOCL's CL.class is on the test class path");
            return in.readAllBytes();
        }
    }

    @Test
    void shippedRewriteMatchesAFreshOne() throws Exception {
        byte[] original = joclCl();
        byte[] shipped = PrebuiltRewrite.lookup(original);
        assertNotNull(shipped, "the build ships a rewrite for the JOCL it compiles against");
        assertArrayEquals(ClInterception.rewrite(original, null, Spec.bundled()), shipped);
    }

    @Test
    void anotherClassFileGetsNoPrebuiltRewrite() throws Exception {
        byte[] other = joclCl();
        other[other.length - 1] ^= 1;
        assertNull(PrebuiltRewrite.lookup(other));
    }

    @Test
    void rewriteReplacesTheNatives() throws Exception {
        byte[] rewritten = ClInterception.rewrite(joclCl(), null, Spec.bundled());
        String text = new String(rewritten, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("io/ava/agent/interception/NativeBridge"), "natives call the bridge");
    }
}
