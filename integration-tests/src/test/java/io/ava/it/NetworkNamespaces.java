package io.ava.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several "hosts" on one machine: one network namespace per host, each with {@code lo} up and an {@code eth0}
 * holding a 198.51.100.x/24 address (a documentation range, used only inside these namespaces), all joined by veth
 * pairs to a Linux bridge in a hub namespace of their own. Nothing is added to the machine's own network
 * namespace: the interfaces are created inside the hub and the hosts, so their names cannot clash with anything.
 *
 * <p>Namespace names are {@code ava-mh<pid>-<host>} with the test JVM's pid; namespaces of that shape left by a run
 * whose JVM is gone (or by an earlier JVM with the same pid) are removed first, with whatever still runs in them.
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); {@link #whyNotRoot()} says why not when it is not.
 */
final class NetworkNamespaces implements AutoCloseable {

    static final String PREFIX = "ava-mh";
    private static final Pattern OURS = Pattern.compile("^(" + Pattern.quote(PREFIX) + "(\\d+))-[a-z0-9]+$");
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    /** What a command printed and how it ended. */
    record Outcome(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        String describe() {
            return "$ " + String.join(" ", command) + "\n" + output + (output.endsWith("\n") || output.isEmpty() ? "" : "\n")
                + "(exit " + exitCode + ")";
        }
    }

    private final String stem;
    private final String hub;
    private final Map<String, String> namespaces = new LinkedHashMap<>(); // host -> namespace
    private final Map<String, String> addresses = new LinkedHashMap<>(); // host -> 198.51.100.x
    private final StringBuilder transcript = new StringBuilder();
    private boolean closed;

    private NetworkNamespaces(String stem) {
        this.stem = stem;
        this.hub = stem + "-hub";
    }

    /** Null when this JVM runs as root; otherwise why the namespaces cannot be made. */
    static String whyNotRoot() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return "needs root on Linux to create network namespaces: " + status + " is not readable (os.name="
                + System.getProperty("os.name") + ")";
        }
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    String effective = line.substring(4).trim().split("\\s+")[1];
                    return effective.equals("0") ? null
                        : "needs root to create network namespaces (ip netns add): this test runs as uid " + effective;
                }
            }
            return "needs root to create network namespaces: no Uid line in " + status;
        } catch (IOException e) {
            return "needs root to create network namespaces: cannot read " + status + ": " + e;
        }
    }

    /**
     * Creates the hub and one namespace per host ({@code hosts}: host name to its last address octet), joined on
     * 198.51.100.0/24. Fails with the full transcript of {@code ip} commands when any step fails, after removing
     * whatever it had made.
     */
    static NetworkNamespaces create(Map<String, Integer> hosts) {
        String stem = PREFIX + ProcessHandle.current().pid();
        NetworkNamespaces n = new NetworkNamespaces(stem);
        try {
            n.transcript.append(removeStale(stem));
            n.must("ip", "netns", "add", n.hub);
            n.namespaces.put("hub", n.hub);
            n.must("ip", "-n", n.hub, "link", "set", "lo", "up");
            n.must("ip", "-n", n.hub, "link", "add", "br0", "type", "bridge");
            n.must("ip", "-n", n.hub, "link", "set", "br0", "up");
            for (Map.Entry<String, Integer> h : hosts.entrySet()) {
                String host = h.getKey();
                String ns = stem + "-" + host;
                String address = "198.51.100." + h.getValue();
                n.must("ip", "netns", "add", ns);
                n.namespaces.put(host, ns);
                n.must("ip", "-n", ns, "link", "set", "lo", "up");
                // created inside the hub, its peer inside the host: no interface ever appears in the machine's namespace
                n.must("ip", "-n", n.hub, "link", "add", "v-" + host, "type", "veth", "peer", "name", "eth0", "netns", ns);
                n.must("ip", "-n", n.hub, "link", "set", "v-" + host, "master", "br0");
                n.must("ip", "-n", n.hub, "link", "set", "v-" + host, "up");
                n.must("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
                n.must("ip", "-n", ns, "link", "set", "eth0", "up");
                n.addresses.put(host, address);
            }
            n.transcript.append(describeAll(n));
            return n;
        } catch (RuntimeException | Error e) {
            String soFar = n.transcript.toString();
            n.close();
            throw new AssertionError("could not build the network namespaces (running as root, so this is a failure, "
                + "not a reason to skip): " + e.getMessage() + "\n---- ip commands so far ----\n" + soFar
                + "---- cleanup ----\n" + n.transcript.substring(Math.min(soFar.length(), n.transcript.length())), e);
        }
    }

    /** The namespace of a host. */
    String namespace(String host) {
        String ns = namespaces.get(host);
        if (ns == null) {
            throw new IllegalArgumentException("no host " + host + " in " + namespaces.keySet());
        }
        return ns;
    }

    /** The 198.51.100.x address of a host. */
    String address(String host) {
        namespace(host);
        return addresses.get(host);
    }

    /** {@code ip netns exec <ns of host> command...}: the command as it would run on that host. */
    List<String> on(String host, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        full.addAll(command);
        return full;
    }

    /** The {@code ip} commands run so far and the resulting addresses and routes, for assertion messages. */
    String transcript() {
        return transcript.toString();
    }

    /** The state of every namespace's links, addresses, neighbours and listening sockets, for assertion messages. */
    String diagnose() {
        StringBuilder sb = new StringBuilder("---- network namespaces ----\n");
        sb.append(run(List.of("ip", "netns", "exec", hub, "bridge", "link"), COMMAND_TIMEOUT).describe()).append('\n');
        for (String ns : namespaces.values()) {
            for (List<String> command : List.of(
                List.of("ip", "-n", ns, "-br", "link"),
                List.of("ip", "-n", ns, "-br", "addr"),
                List.of("ip", "-n", ns, "neigh"),
                List.of("ip", "netns", "exec", ns, "ss", "-tan"))) {
                sb.append(run(command, COMMAND_TIMEOUT).describe()).append('\n');
            }
        }
        return sb.append("---- end of network namespaces ----").toString();
    }

    /** Runs a command (with the output of both streams together), waiting at most {@code timeout}. */
    static Outcome run(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Outcome(command, -1, "cannot start: " + e + "\n");
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(could not read output: " + e + ")";
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Outcome(command, -1, output.getNow("") + "(killed: did not finish within " + timeout.toSeconds() + " s)\n");
            }
            return new Outcome(command, p.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Outcome(command, -1, "interrupted\n");
        } catch (Exception e) {
            return new Outcome(command, p.isAlive() ? -1 : p.exitValue(), "(no output: " + e + ")\n");
        }
    }

    private Outcome must(String... command) {
        Outcome o = run(List.of(command), COMMAND_TIMEOUT);
        transcript.append(o.describe()).append('\n');
        if (!o.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + o.exitCode() + ": " + o.output().trim());
        }
        return o;
    }

    private static String describeAll(NetworkNamespaces n) {
        StringBuilder sb = new StringBuilder();
        for (String ns : n.namespaces.values()) {
            Outcome o = run(List.of("ip", "-n", ns, "-br", "addr"), COMMAND_TIMEOUT);
            sb.append("[").append(ns).append("] ").append(o.describe()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Removes namespaces named like ours that belong to this stem (a JVM earlier given the same pid) or to a JVM that
     * is no longer running, killing what still runs in them first. Returns what it did.
     */
    static String removeStale(String stem) {
        StringBuilder sb = new StringBuilder();
        Outcome list = run(List.of("ip", "netns", "list"), COMMAND_TIMEOUT);
        if (!list.ok()) {
            return list.describe() + "\n";
        }
        for (String line : list.output().split("\n")) {
            String name = line.trim().split("\\s+")[0];
            Matcher m = OURS.matcher(name);
            if (!m.matches()) {
                continue;
            }
            long pid = Long.parseLong(m.group(2));
            boolean sameName = m.group(1).equals(stem);
            if (sameName || ProcessHandle.of(pid).isEmpty()) {
                sb.append("# stale namespace ").append(name).append(sameName ? " (same name as ours)" : " (its JVM " + pid + " is gone)").append('\n');
                sb.append(delete(name));
            }
        }
        return sb.toString();
    }

    /** Kills whatever runs in the namespace, then deletes it. Returns what it did. */
    private static String delete(String ns) {
        StringBuilder sb = new StringBuilder();
        Outcome pids = run(List.of("ip", "netns", "pids", ns), COMMAND_TIMEOUT);
        if (pids.ok()) {
            for (String p : pids.output().split("\\s+")) {
                if (p.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(p)).ifPresent(h -> {
                        sb.append("# killing pid ").append(h.pid()).append(" left in ").append(ns).append('\n');
                        h.destroyForcibly();
                    });
                }
            }
        }
        Outcome del = run(List.of("ip", "netns", "del", ns), COMMAND_TIMEOUT);
        sb.append(del.describe()).append('\n');
        return sb.toString();
    }

    /** Deletes the hosts' namespaces and then the hub (deleting a namespace deletes its veth ends, and so their peers). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> order = new ArrayList<>(namespaces.values());
        java.util.Collections.reverse(order);
        for (String ns : order) {
            transcript.append(delete(ns));
        }
    }
}
