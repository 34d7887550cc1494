package io.ava.spec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parsed spec, serialized at build time next to opencl.yaml, so that an agent starts without
 * SnakeYAML: parsing the YAML costs a cold client JVM about 0.28 s of CPU (158 classes and their
 * JIT), reading the snapshot a fraction of it. The snapshot names the digest of the YAML it was
 * made from; a snapshot that does not match the bundled YAML is ignored and the YAML is parsed.
 */
public final class SpecSnapshot {
    public static final String RESOURCE = "/io/ava/spec/opencl.spec.ser";

    /** Only the spec's own classes and the JDK collections they hold may be read back. */
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "io.ava.spec.*;java.lang.*;java.util.*;[I;[J;[[J;[Lio.ava.spec.*;!*");

    private SpecSnapshot() {
    }

    /** The bundled snapshot if it was made from the YAML with {@code digest}, else null. */
    static Spec read(String digest) {
        try (InputStream in = Spec.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(in.readAllBytes()))) {
                o.setObjectInputFilter(FILTER);
                Object s = o.readObject();
                return s instanceof Spec spec && spec.digest().equals(digest) ? spec : null;
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return null; // the YAML is the source of truth
        }
    }

    static void write(Spec spec, OutputStream out) throws IOException {
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(spec);
        }
    }

    /** Build step: parses the YAML resource and writes the snapshot to {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Spec spec = Spec.parseBundledYaml();
        Path target = Path.of(args[0]);
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target)) {
            write(spec, out);
        }
        System.out.println("spec snapshot: " + spec.functions().size() + " functions, " + Files.size(target) + " bytes in " + target);
    }
}
