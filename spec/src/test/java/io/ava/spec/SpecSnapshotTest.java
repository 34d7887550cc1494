package io.ava.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
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
            assertEquals(p.toString(), s.toString());
        }
    }

    /** Everything the parse gives is in the snapshot: written again, the parse is the snapshot's bytes. */
    @Test
    void theSnapshotHoldsExactlyWhatTheYamlParsesTo() throws Exception {
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        SpecSnapshot.write(Spec.parseBundledYaml(), Spec.bundledYamlBytes(), again);
        assertArrayEquals(bundledSnapshot(), again.toByteArray());
    }

    /** Everything written is read back: the snapshot read and written again gives the same bytes. */
    @Test
    void theSnapshotReadsBackEverythingItHolds() throws Exception {
        Spec read = SpecSnapshot.read(Spec.bundledDigest());
        assertNotNull(read);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        SpecSnapshot.write(read, Spec.bundledYamlBytes(), again);
        assertArrayEquals(bundledSnapshot(), again.toByteArray());
    }

    /** The digest the client sends without hashing is the SHA-256 of the bundled YAML, as the server computes it. */
    @Test
    void theDigestTakenFromTheSnapshotIsTheYamlsSha256() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Spec.bundledYamlBytes()));
        assertEquals(sha, SpecSnapshot.digestIfMadeFrom(Spec.bundledYamlBytes()));
        assertEquals(sha, Spec.bundledDigest());
        assertEquals(sha, Spec.parseBundledYaml().digest());
    }

    /** A snapshot of another YAML (an edited spec without a rebuild) is not used. */
    @Test
    void aSnapshotOfAnotherYamlIsIgnored() {
        assertNull(SpecSnapshot.read("0".repeat(64)));
        byte[] edited = (new String(Spec.bundledYamlBytes(), StandardCharsets.UTF_8) + "\n# edited\n").getBytes(StandardCharsets.UTF_8);
        assertNull(SpecSnapshot.digestIfMadeFrom(edited));
        byte[] sameLength = Spec.bundledYamlBytes();
        sameLength[sameLength.length / 2] ^= 1;
        assertNull(SpecSnapshot.digestIfMadeFrom(sameLength));
    }

    private static byte[] bundledSnapshot() throws Exception {
        try (InputStream in = Spec.class.getResourceAsStream(SpecSnapshot.RESOURCE)) {
            assertNotNull(in, SpecSnapshot.RESOURCE);
            return in.readAllBytes();
        }
    }
}
