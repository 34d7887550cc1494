package io.ava.server.nativeheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MallocTunablesTest {

    @Test
    void addsTheThresholdToAnEmptyOrOtherSetting() {
        assertEquals(MallocTunables.SETTING, MallocTunables.with(null));
        assertEquals(MallocTunables.SETTING, MallocTunables.with(""));
        assertEquals("glibc.malloc.arena_max=2:" + MallocTunables.SETTING,
                MallocTunables.with("glibc.malloc.arena_max=2"));
    }

    @Test
    void aCallersOwnThresholdWins() {
        String own = "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=4194304";
        assertEquals(own, MallocTunables.with(own));
        assertTrue(MallocTunables.setsThreshold(own));
        assertNull(MallocTunables.hintIfMissing(own));
    }

    @Test
    void aSimilarNameIsNotTheThreshold() {
        assertFalse(MallocTunables.setsThreshold("glibc.malloc.mmap_max=0"));
        assertFalse(MallocTunables.setsThreshold(null));
        assertNotNull(MallocTunables.hintIfMissing("glibc.malloc.mmap_max=0"));
    }

    @Test
    void addToSetsTheChildsEnvironment() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/bin"));
        MallocTunables.addTo(env);
        assertEquals(MallocTunables.SETTING, env.get("GLIBC_TUNABLES"));
        assertEquals("/bin", env.get("PATH"));
    }
}
