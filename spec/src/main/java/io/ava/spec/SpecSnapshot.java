package io.ava.spec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The parsed spec, written at build time next to opencl.yaml, so that an agent starts without
 * SnakeYAML: parsing the YAML costs a cold client JVM about 0.28 s of CPU (158 classes and their
 * JIT). A plain binary form read with {@link DataInputStream}, not Java serialization, whose
 * reflection and class descriptors cost a cold JVM about 60 ms.
 *
 * <p>The header names the length and CRC-32 of the YAML it was made from, and that YAML's SHA-256
 * digest. A snapshot of other YAML (one edited without a rebuild) is ignored and the YAML parsed;
 * the CRC is the cheap check, so that a client need not hash the YAML to learn its digest.
 */
public final class SpecSnapshot {
    public static final String RESOURCE = "/io/ava/spec/opencl.spec.bin";
    private static final int MAGIC = 0x41564132; // "AVA2"
    private static final int NONE = -1;

    private SpecSnapshot() {
    }

    /** The SHA-256 digest the bundled snapshot names if it was made from these YAML bytes, else null. */
    static String digestIfMadeFrom(byte[] yaml) {
        try (DataInputStream in = open()) {
            if (in == null) {
                return null;
            }
            Header h = Header.read(in);
            return h != null && h.madeFrom(yaml) ? h.digest : null;
        } catch (IOException | RuntimeException e) {
            return null; // the YAML is the source of truth
        }
    }

    /** The bundled snapshot if it was made from the YAML with {@code digest}, else null. */
    static Spec read(String digest) {
        try (DataInputStream in = open()) {
            if (in == null) {
                return null;
            }
            Header h = Header.read(in);
            if (h == null || !h.digest.equals(digest)) {
                return null;
            }
            int count = in.readInt();
            List<FunctionSpec> functions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                functions.add(readFunction(in));
            }
            return new Spec(functions, h.digest);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The resource, buffered but not read ahead: the digest needs only the header. */
    private static DataInputStream open() {
        InputStream in = Spec.class.getResourceAsStream(RESOURCE);
        return in == null ? null : new DataInputStream(new BufferedInputStream(in));
    }

    /** Writes the snapshot of {@code spec}, parsed from {@code yaml}. The same input gives the same bytes. */
    static void write(Spec spec, byte[] yaml, OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(target);
        out.writeInt(MAGIC);
        out.writeInt(yaml.length);
        out.writeInt(crc(yaml));
        out.writeUTF(spec.digest());
        out.writeInt(spec.functions().size());
        for (FunctionSpec f : spec.functions()) {
            writeFunction(f, out);
        }
        out.flush();
    }

    private static void writeFunction(FunctionSpec f, DataOutputStream out) throws IOException {
        out.writeInt(f.index());
        out.writeUTF(f.name());
        out.writeInt(f.line());
        out.writeInt(f.args().size());
        for (ArgSpec a : f.args()) {
            writeArg(a, out);
        }
        out.writeUTF(f.returns().name());
        writeEnum(f.allocates(), out);
        writeText(f.unsupported(), out);
        writeArgRef(f.deallocates(), out);
        writeArgRef(f.retains(), out);
        out.writeBoolean(f.record());
        out.writeInt(f.dependsOn().size());
        for (ArgSpec a : f.dependsOn()) {
            out.writeInt(a.index());
        }
        out.writeBoolean(f.async().always());
        out.writeInt(f.async().unlessArg());
        writeArgRef(f.infoSelector(), out);
        writeArgRef(f.infoValue(), out);
        Map<Integer, InfoValue> handles = new TreeMap<>(f.infoHandleMap()); // in key order: same bytes every build
        out.writeInt(handles.size());
        for (Map.Entry<Integer, InfoValue> e : handles.entrySet()) {
            out.writeInt(e.getKey());
            out.writeUTF(e.getValue().kind().name());
            writeEnum(e.getValue().handleType(), out);
        }
        writeText(f.agentLocal(), out);
    }

    private static FunctionSpec readFunction(DataInputStream in) throws IOException {
        int index = in.readInt();
        String name = in.readUTF();
        int line = in.readInt();
        int argCount = in.readInt();
        List<ArgSpec> args = new ArrayList<>(argCount);
        for (int i = 0; i < argCount; i++) {
            args.add(readArg(in));
        }
        FunctionSpec.Returns returns = FunctionSpec.Returns.valueOf(in.readUTF());
        HandleType allocates = readEnum(HandleType.class, in);
        String unsupported = readText(in);
        ArgSpec deallocates = readArgRef(args, in);
        ArgSpec retains = readArgRef(args, in);
        boolean record = in.readBoolean();
        int dependsCount = in.readInt();
        List<ArgSpec> dependsOn = new ArrayList<>(dependsCount);
        for (int i = 0; i < dependsCount; i++) {
            dependsOn.add(args.get(in.readInt()));
        }
        AsyncRule async = AsyncRule.of(in.readBoolean(), in.readInt());
        ArgSpec infoSelector = readArgRef(args, in);
        ArgSpec infoValue = readArgRef(args, in);
        int handleCount = in.readInt();
        Map<Integer, InfoValue> handles = new HashMap<>();
        for (int i = 0; i < handleCount; i++) {
            int key = in.readInt();
            handles.put(key, new InfoValue(InfoValue.Kind.valueOf(in.readUTF()), readEnum(HandleType.class, in)));
        }
        String agentLocal = readText(in);
        return new FunctionSpec(index, name, line, args, returns, allocates, unsupported, deallocates, retains, record,
                dependsOn, async, infoSelector, infoValue, handles, agentLocal);
    }

    private static void writeArg(ArgSpec a, DataOutputStream out) throws IOException {
        out.writeInt(a.index());
        out.writeUTF(a.name());
        out.writeUTF(a.role().name());
        writeEnum(a.handleType(), out);
        out.writeBoolean(a.nullable());
        SizeExpr size = a.size();
        out.writeBoolean(size != null);
        if (size != null) {
            out.writeUTF(size.toString());
            long[][] terms = size.terms();
            out.writeInt(terms.length);
            for (long[] term : terms) {
                out.writeInt(term.length);
                for (long factor : term) {
                    out.writeLong(factor);
                }
            }
        }
        HostExtent extent = a.extent();
        out.writeBoolean(extent != null);
        if (extent != null) {
            out.writeUTF(extent.kind().name());
            int[] indexes = extent.argIndexes();
            out.writeInt(indexes.length);
            for (int i : indexes) {
                out.writeInt(i);
            }
        }
    }

    private static ArgSpec readArg(DataInputStream in) throws IOException {
        int index = in.readInt();
        String name = in.readUTF();
        Role role = Role.valueOf(in.readUTF());
        HandleType handleType = readEnum(HandleType.class, in);
        boolean nullable = in.readBoolean();
        SizeExpr size = null;
        if (in.readBoolean()) {
            String text = in.readUTF();
            long[][] terms = new long[in.readInt()][];
            for (int t = 0; t < terms.length; t++) {
                terms[t] = new long[in.readInt()];
                for (int f = 0; f < terms[t].length; f++) {
                    terms[t][f] = in.readLong();
                }
            }
            size = SizeExpr.of(text, terms);
        }
        HostExtent extent = null;
        if (in.readBoolean()) {
            HostExtent.Kind kind = HostExtent.Kind.valueOf(in.readUTF());
            int[] indexes = new int[in.readInt()];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = in.readInt();
            }
            extent = HostExtent.of(kind, indexes);
        }
        return new ArgSpec(index, name, role, handleType, size, nullable, extent);
    }

    private static void writeArgRef(ArgSpec a, DataOutputStream out) throws IOException {
        out.writeInt(a == null ? NONE : a.index());
    }

    private static ArgSpec readArgRef(List<ArgSpec> args, DataInputStream in) throws IOException {
        int i = in.readInt();
        return i == NONE ? null : args.get(i);
    }

    private static void writeEnum(Enum<?> e, DataOutputStream out) throws IOException {
        writeText(e == null ? null : e.name(), out);
    }

    private static <E extends Enum<E>> E readEnum(Class<E> type, DataInputStream in) throws IOException {
        String name = readText(in);
        return name == null ? null : Enum.valueOf(type, name);
    }

    private static void writeText(String s, DataOutputStream out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readText(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length);
        return (int) crc.getValue();
    }

    /** What the snapshot was made from. */
    private record Header(int yamlLength, int yamlCrc, String digest) {
        static Header read(DataInputStream in) throws IOException {
            return in.readInt() != MAGIC ? null : new Header(in.readInt(), in.readInt(), in.readUTF());
        }

        boolean madeFrom(byte[] yaml) {
            return yaml.length == yamlLength && crc(yaml) == yamlCrc;
        }
    }

    /** Build step: parses the YAML resource and writes the snapshot to {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        byte[] yaml = Spec.bundledYamlBytes();
        Spec spec = Spec.parseBundledYaml();
        Path target = Path.of(args[0]);
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target)) {
            write(spec, yaml, out);
        }
        System.out.println("spec snapshot: " + spec.functions().size() + " functions, " + Files.size(target) + " bytes in " + target);
    }
}
