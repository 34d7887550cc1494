package io.ava.spec;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Which of JOCL's natives the spec remotes, refuses (and why), or does not describe. */
public final class SpecCoverage {
    private final int natives;
    private final List<String> remoted;
    private final Map<String, List<String>> refused;
    private final List<String> missing;
    private final Map<String, String> local;

    private SpecCoverage(int natives, List<String> remoted, Map<String, List<String>> refused, List<String> missing,
                         Map<String, String> local) {
        this.natives = natives;
        this.remoted = remoted;
        this.refused = refused;
        this.missing = missing;
        this.local = local;
    }

    /** @param nativeNames the names of org.jocl.CL's native methods ("clCreateBufferNative", ...) */
    public static SpecCoverage of(Spec spec, Collection<String> nativeNames) {
        TreeSet<String> remoted = new TreeSet<>();
        Map<String, List<String>> refused = new TreeMap<>();
        TreeSet<String> missing = new TreeSet<>();
        Map<String, String> local = new TreeMap<>();
        for (String n : nativeNames) {
            FunctionSpec f = spec.forNative(n);
            String function = n.endsWith("Native") ? n.substring(0, n.length() - "Native".length()) : n;
            if (f != null && f.agentLocal() != null) {
                local.put(function, f.agentLocal());
            } else if (f == null) {
                missing.add(function);
            } else if (f.isSupported()) {
                remoted.add(function);
            } else {
                refused.computeIfAbsent(f.unsupported(), r -> new java.util.ArrayList<>()).add(function);
            }
        }
        return new SpecCoverage(nativeNames.size(), List.copyOf(remoted), refused, List.copyOf(missing), local);
    }

    public List<String> remoted() {
        return remoted;
    }

    public List<String> missing() {
        return missing;
    }

    public int refusedCount() {
        return refused.values().stream().mapToInt(List::size).sum();
    }

    /** The report users see (`ava-server spec --coverage`) and the coverage test prints. */
    public String report() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("JOCL natives: %d; remoted %d, refused %d, handled in the agent %d, not described %d%n",
                natives, remoted.size(), refusedCount(), local.size(), missing.size()));
        refused.forEach((reason, fns) -> b.append(String.format("refused (%d) %s: %s%n", fns.size(), String.join(", ", fns), reason)));
        local.forEach((fn, why) -> b.append(String.format("in the agent: %s (%s)%n", fn, why)));
        if (!missing.isEmpty()) {
            b.append("not described (refused as not remoted yet): ").append(String.join(", ", missing)).append('\n');
        }
        return b.toString();
    }
}
