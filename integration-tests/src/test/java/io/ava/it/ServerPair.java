package io.ava.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Servers that can hand sessions to each other: each listens for migrations on its own port and
 * names the next one as its default peer (A to B to C ... back to A).
 */
final class ServerPair implements AutoCloseable {
    final List<ServerProcess> servers = new ArrayList<>();
    final List<Integer> migrationPorts = new ArrayList<>();

    /** Starts {@code count} servers in a ring; {@code extra} options go to every one of them. */
    static ServerPair ring(String name, int count, String... extra) throws IOException, InterruptedException {
        ServerPair p = new ServerPair();
        for (int i = 0; i < count; i++) {
            p.migrationPorts.add(freePort());
        }
        try {
            for (int i = 0; i < count; i++) {
                List<String> args = new ArrayList<>(List.of("--migrate-listen", String.valueOf(p.migrationPorts.get(i)),
                        "--migrate-to", "127.0.0.1:" + p.migrationPorts.get((i + 1) % count), "--quiesce-timeout", "3"));
                args.addAll(List.of(extra));
                p.servers.add(ServerProcess.start(name + "-" + (char) ('a' + i), args.toArray(new String[0])));
            }
        } catch (IOException | InterruptedException | AssertionError e) {
            p.close();
            throw e;
        }
        return p;
    }

    ServerProcess get(int i) {
        return servers.get(i);
    }

    String migrationAddress(int i) {
        return "127.0.0.1:" + migrationPorts.get(i);
    }

    String logs(int lines) {
        StringBuilder b = new StringBuilder();
        for (ServerProcess s : servers) {
            b.append(s.logTail(lines)).append('\n');
        }
        return b.toString();
    }

    /**
     * A port that is free now, for a server started next. Chosen below Linux's ephemeral range
     * (32768 and up): a port the kernel hands out there may be given to any outgoing connection
     * between this check and the server's bind, and the tests make many.
     */
    static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // in use: another one
            }
        }
        throw new IOException("no free port between 20000 and 32000 after 200 tries");
    }

    @Override
    public void close() throws InterruptedException {
        for (ServerProcess s : servers) {
            s.close();
        }
    }
}
