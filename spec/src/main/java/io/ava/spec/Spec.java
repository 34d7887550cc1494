package io.ava.spec;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenCL API description (spec/opencl.yaml), loaded and checked once. The agent and the
 * server load the same file; a function's position in it is its number on the wire.
 */
public final class Spec {
    public static final String RESOURCE = "/io/ava/spec/opencl.yaml";

    private static final Set<String> FUNCTION_KEYS = Set.of(
            "args", "returns", "unsupported", "agent", "deallocates", "retains", "record", "depends_on", "async", "info");

    private final List<FunctionSpec> functions;
    private final Map<String, FunctionSpec> byNativeName;
    private final String digest;

    Spec(List<FunctionSpec> functions, String digest) {
        this.functions = List.copyOf(functions);
        Map<String, FunctionSpec> map = new HashMap<>();
        for (FunctionSpec f : functions) {
            map.put(f.nativeName(), f);
            if (f.agentLocal() != null) {
                map.put(f.name(), f); // JOCL's own hooks keep their names (initNativeLibrary)
            }
        }
        this.byNativeName = Collections.unmodifiableMap(map);
        this.digest = digest;
    }

    private static volatile Spec bundled;

    /** The spec bundled with this build, loaded once. */
    public static Spec bundled() {
        Spec s = bundled;
        if (s == null) {
            synchronized (Spec.class) {
                if (bundled == null) {
                    Spec snapshot = SpecSnapshot.read(bundledDigest());
                    bundled = snapshot != null ? snapshot : parseBundledYaml();
                }
                s = bundled;
            }
        }
        return s;
    }

    /** Parses the bundled YAML (what the build's snapshot is made from). */
    static Spec parseBundledYaml() {
        return parse(bundledYaml());
    }

    /**
     * The digest of the bundled spec without parsing it (parsing takes a quarter of a second in a
     * cold JVM), for a client that must say which spec it speaks before its spec is ready. The
     * snapshot names it when it was made from this YAML (a CRC-32 check); hashing the YAML here cost
     * a cold JVM 25 ms of wall time.
     */
    public static String bundledDigest() {
        synchronized (DIGEST_LOCK) {
            if (bundledDigest == null) {
                byte[] yaml = bundledYamlBytes();
                String made = SpecSnapshot.digestIfMadeFrom(yaml);
                bundledDigest = made != null ? made : sha256(yaml);
            }
            return bundledDigest;
        }
    }

    /**
     * The agent's start and connect threads ask at the same moment: one reads, the other waits.
     * Not Spec.class, which bundled()
     * holds while it reads the whole spec.
     */
    private static final Object DIGEST_LOCK = new Object();
    private static String bundledDigest;

    private static String bundledYaml() {
        return new String(bundledYamlBytes(), StandardCharsets.UTF_8);
    }

    static byte[] bundledYamlBytes() {
        try (InputStream in = Spec.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new SpecException("spec resource " + RESOURCE + " is missing", null);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SpecException("cannot read " + RESOURCE, e);
        }
    }

    public List<FunctionSpec> functions() {
        return functions;
    }

    public FunctionSpec function(int index) {
        return index >= 0 && index < functions.size() ? functions.get(index) : null;
    }

    /** The entry for a JOCL native method name ("clCreateBufferNative"), or null. */
    public FunctionSpec forNative(String nativeMethodName) {
        return byNativeName.get(nativeMethodName);
    }

    /** SHA-256 of the YAML text: agent and server must agree on it. */
    public String digest() {
        return digest;
    }

    public static Spec parse(String yamlText) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yamlText));
        } catch (RuntimeException e) {
            throw new SpecException("opencl.yaml is not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof MappingNode)) {
            throw new SpecException(1, "expected a mapping with 'functions'");
        }
        MappingNode functionsNode = null;
        for (NodeTuple t : ((MappingNode) root).getValue()) {
            String key = scalar(t.getKeyNode());
            if (key.equals("functions")) {
                functionsNode = mapping(t.getValueNode(), "functions");
            } else if (!key.equals("version")) {
                throw new SpecException(line(t.getKeyNode()), "unknown top-level word '" + key + "'");
            }
        }
        if (functionsNode == null) {
            throw new SpecException(1, "no 'functions' section");
        }
        List<FunctionSpec> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (NodeTuple t : functionsNode.getValue()) {
            String name = scalar(t.getKeyNode());
            if (!seen.add(name)) {
                throw new SpecException(line(t.getKeyNode()), "function '" + name + "' appears twice");
            }
            out.add(parseFunction(out.size(), name, t.getKeyNode(), mapping(t.getValueNode(), name)));
        }
        return new Spec(out, sha256(yamlText));
    }

    private static FunctionSpec parseFunction(int index, String name, Node keyNode, MappingNode body) {
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple t : body.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!FUNCTION_KEYS.contains(key)) {
                throw new SpecException(line(t.getKeyNode()), "unknown word '" + key + "' in " + name
                        + " (known: " + FUNCTION_KEYS + ")");
            }
            fields.put(key, t.getValueNode());
        }
        int fline = line(keyNode);
        List<ArgSpec> args = new ArrayList<>();
        Node argsNode = fields.get("args");
        if (argsNode != null) {
            if (!(argsNode instanceof SequenceNode)) {
                throw new SpecException(line(argsNode), name + ": 'args' must be a list of 'name: role ...'");
            }
            List<String> names = new ArrayList<>();
            List<MappingNode> argNodes = new ArrayList<>();
            for (Node n : ((SequenceNode) argsNode).getValue()) {
                MappingNode m = mapping(n, name + " argument");
                if (m.getValue().size() != 1) {
                    throw new SpecException(line(n), name + ": each argument is one 'name: role ...' pair");
                }
                String argName = scalar(m.getValue().get(0).getKeyNode());
                if (names.contains(argName)) {
                    throw new SpecException(line(n), name + ": argument '" + argName + "' appears twice");
                }
                names.add(argName);
                argNodes.add(m);
            }
            for (int i = 0; i < argNodes.size(); i++) {
                NodeTuple t = argNodes.get(i).getValue().get(0);
                args.add(parseArg(i, names.get(i), t.getValueNode(), names, name));
            }
        }

        FunctionSpec.Returns returns = FunctionSpec.Returns.status;
        HandleType returnsType = null;
        if (fields.containsKey("returns")) {
            String r = scalar(fields.get("returns"));
            String[] parts = r.trim().split("\\s+");
            try {
                returns = FunctionSpec.Returns.valueOf(parts[0]);
            } catch (IllegalArgumentException e) {
                throw new SpecException(line(fields.get("returns")), name + ": unknown return kind '" + parts[0]
                        + "' (known: status, handle <type>, none, mapped, svm)");
            }
            if (returns == FunctionSpec.Returns.handle) {
                if (parts.length != 2) {
                    throw new SpecException(line(fields.get("returns")), name + ": 'returns: handle' needs a type");
                }
                returnsType = handleType(parts[1], line(fields.get("returns")));
            }
        }
        String unsupported = fields.containsKey("unsupported") ? scalar(fields.get("unsupported")) : null;
        String agent = fields.containsKey("agent") ? scalar(fields.get("agent")) : null;
        if (agent != null) {
            unsupported = "handled in the agent: " + agent;
        }
        ArgSpec deallocates = fields.containsKey("deallocates")
                ? handleArg(args, scalar(fields.get("deallocates")), name, line(fields.get("deallocates"))) : null;
        ArgSpec retains = fields.containsKey("retains")
                ? handleArg(args, scalar(fields.get("retains")), name, line(fields.get("retains"))) : null;
        boolean record = fields.containsKey("record") && bool(fields.get("record"), name);
        List<ArgSpec> dependsOn = new ArrayList<>();
        if (fields.containsKey("depends_on")) {
            Node dn = fields.get("depends_on");
            if (!(dn instanceof SequenceNode)) {
                throw new SpecException(line(dn), name + ": depends_on must be a list of argument names");
            }
            for (Node n : ((SequenceNode) dn).getValue()) {
                ArgSpec a = findArg(args, scalar(n), name, line(n));
                if (a.handleType() == null) {
                    throw new SpecException(line(n), name + ": depends_on names '" + a.name() + "', which is not a handle");
                }
                dependsOn.add(a);
            }
        }
        AsyncRule async = AsyncRule.NEVER;
        if (fields.containsKey("async")) {
            Node an = fields.get("async");
            String v = scalar(an).trim();
            if (v.equals("true")) {
                async = AsyncRule.ALWAYS;
            } else if (v.equals("false")) {
                async = AsyncRule.NEVER;
            } else if (v.startsWith("!")) {
                ArgSpec a = findArg(args, v.substring(1).trim(), name, line(an));
                if (a.role() != Role.scalar) {
                    throw new SpecException(line(an), name + ": async condition must name a boolean scalar");
                }
                async = AsyncRule.unless(a.index());
            } else {
                throw new SpecException(line(an), name + ": async must be true, false or '!<boolean argument>'");
            }
        }
        ArgSpec infoSelector = null;
        ArgSpec infoValue = null;
        Map<Integer, InfoValue> infoHandles = new HashMap<>();
        if (fields.containsKey("info")) {
            MappingNode info = mapping(fields.get("info"), name + " info");
            for (NodeTuple t : info.getValue()) {
                String key = scalar(t.getKeyNode());
                switch (key) {
                    case "selector":
                        infoSelector = findArg(args, scalar(t.getValueNode()), name, line(t.getValueNode()));
                        break;
                    case "value":
                        infoValue = findArg(args, scalar(t.getValueNode()), name, line(t.getValueNode()));
                        break;
                    case "handles":
                        for (NodeTuple h : mapping(t.getValueNode(), name + " info handles").getValue()) {
                            int param;
                            try {
                                param = Integer.decode(scalar(h.getKeyNode()).trim());
                            } catch (NumberFormatException e) {
                                throw new SpecException(line(h.getKeyNode()), name + ": info handle keys are param_name numbers");
                            }
                            infoHandles.put(param, infoValue(scalar(h.getValueNode()), line(h.getValueNode()), name));
                        }
                        break;
                    default:
                        throw new SpecException(line(t.getKeyNode()), name + ": unknown info word '" + key
                                + "' (known: selector, value, handles)");
                }
            }
            if (infoSelector == null || infoValue == null) {
                throw new SpecException(line(fields.get("info")), name + ": info needs both selector and value");
            }
        }
        if (unsupported == null && agent == null && argsNode == null) {
            throw new SpecException(fline, name + ": a remoted function needs 'args' (or say 'unsupported: reason')");
        }
        return new FunctionSpec(index, name, fline, args, returns, returnsType, unsupported, deallocates, retains,
                record, dependsOn, async, infoSelector, infoValue, infoHandles, agent);
    }

    private static InfoValue infoValue(String text, int line, String fn) {
        String t = text.trim();
        if (t.equals("context_properties")) {
            return new InfoValue(InfoValue.Kind.context_properties, null);
        }
        if (t.equals("binaries")) {
            return new InfoValue(InfoValue.Kind.binaries, null);
        }
        return new InfoValue(InfoValue.Kind.handles, handleType(t, line));
    }

    private static ArgSpec parseArg(int index, String argName, Node descNode, List<String> names, String fn) {
        int line = line(descNode);
        String desc = scalar(descNode).trim();
        SizeExpr size = null;
        HostExtent extent = null;
        int bracket = desc.indexOf('[');
        if (bracket >= 0) {
            if (!desc.endsWith("]")) {
                throw new SpecException(line, fn + "." + argName + ": unclosed '[' in '" + desc + "'");
            }
            String inner = desc.substring(bracket + 1, desc.length() - 1).trim();
            extent = HostExtent.parse(inner, names, line);
            if (extent == null) {
                size = SizeExpr.parse(inner, names, line);
            }
            desc = desc.substring(0, bracket).trim();
        }
        String[] words = desc.split("\\s+");
        String roleWord = words[0];
        boolean nullable = roleWord.endsWith("?");
        if (nullable) {
            roleWord = roleWord.substring(0, roleWord.length() - 1);
        }
        Role role;
        try {
            role = Role.valueOf(roleWord);
        } catch (IllegalArgumentException e) {
            throw new SpecException(line, fn + "." + argName + ": unknown role '" + roleWord + "'");
        }
        HandleType type = null;
        if (role.needsType()) {
            if (words.length != 2) {
                throw new SpecException(line, fn + "." + argName + ": role '" + role + "' needs a handle type");
            }
            type = handleType(words[1], line);
        } else if (words.length != 1) {
            throw new SpecException(line, fn + "." + argName + ": unexpected words after '" + role + "': '" + desc + "'");
        }
        if (role.needsSize() && size == null && extent == null && role != Role.binaries && role != Role.longs) {
            throw new SpecException(line, fn + "." + argName + ": role '" + role + "' needs a size in brackets");
        }
        if (!role.needsSize() && (size != null || extent != null)) {
            throw new SpecException(line, fn + "." + argName + ": role '" + role + "' takes no size");
        }
        return new ArgSpec(index, argName, role, type, size, nullable, extent);
    }

    private static HandleType handleType(String word, int line) {
        try {
            return HandleType.valueOf(word);
        } catch (IllegalArgumentException e) {
            throw new SpecException(line, "unknown handle type '" + word + "'");
        }
    }

    private static ArgSpec handleArg(List<ArgSpec> args, String argName, String fn, int line) {
        ArgSpec a = findArg(args, argName, fn, line);
        if (a.role() != Role.handle) {
            throw new SpecException(line, fn + ": '" + argName + "' is not a handle argument");
        }
        return a;
    }

    private static ArgSpec findArg(List<ArgSpec> args, String argName, String fn, int line) {
        for (ArgSpec a : args) {
            if (a.name().equals(argName.trim())) {
                return a;
            }
        }
        throw new SpecException(line, fn + ": no argument named '" + argName + "'");
    }

    private static boolean bool(Node n, String fn) {
        String v = scalar(n).trim();
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new SpecException(line(n), fn + ": expected true or false, got '" + v + "'");
    }

    private static MappingNode mapping(Node n, String what) {
        if (!(n instanceof MappingNode)) {
            throw new SpecException(line(n), "'" + what + "' must be a mapping");
        }
        return (MappingNode) n;
    }

    private static String scalar(Node n) {
        if (!(n instanceof ScalarNode)) {
            throw new SpecException(line(n), "expected a plain value");
        }
        return ((ScalarNode) n).getValue();
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    private static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads a spec from a stream (tests, and `ava-server spec --file`). */
    public static Spec load(InputStream in) throws IOException {
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
}
