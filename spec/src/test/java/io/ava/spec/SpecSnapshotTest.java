package io.ava.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SpecSnapshotTest {

    /** The build wrote a snapshot of this very YAML, and it reads back. */
    @Test
    void theBundledSnapshotIsReadForTheBundledYaml() {
        Spec snapshot = SpecSnapshot.read(Spec.bundledDigest());
        assertNotNull(snapshot, "no usable snapshot: the build step (exec-maven-plugin, spec-snapshot) did not run");
        Spec parsed = Spec.parseBundledYaml();
        assertEquals(parsed.functions().size(), snapshot.functions().size());
        for (int i = 0; i < parsed.functions().size(); i++) {
            FunctionSpec p = parsed.functions().get(i);
            FunctionSpec s = snapshot.functions().get(i);
            assertEquals(p.name(), s.name());
            assertEquals(p.nativeName(), s.nativeName());
            assertEquals(p.args().size(), s.args().size(), p.name());
            assertEquals(p.returns(), s.returns(), p.name());
            assertEquals(p.isSupported(), s.isSupported(), p.name());
        }
    }

    /** Everything the parse gives is in the snapshot: serialized again, the parse is the snapshot's bytes. */
    @Test
    void theSnapshotHoldsExactlyWhatTheYamlParsesTo() throws Exception {
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        SpecSnapshot.write(Spec.parseBundledYaml(), again);
        byte[] bundled;
        try (InputStream in = Spec.class.getResourceAsStream(SpecSnapshot.RESOURCE)) {
            bundled = in.readAllBytes();
        }
        assertArrayEquals(bundled, again.toByteArray());
    }

    /** A snapshot of another YAML (an edited spec without a rebuild) is not used. */
    @Test
    void aSnapshotOfAnotherYamlIsIgnored() {
        assertNull(SpecSnapshot.read("0".repeat(64)));
    }
}
