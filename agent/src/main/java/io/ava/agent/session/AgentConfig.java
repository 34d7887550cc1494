package io.ava.agent.session;

import java.util.Map;

/** Where the agent finds its server: agent argument, then system property, then environment. */
public final class AgentConfig {
    public static final String DEFAULT_SERVER = "localhost:4000";

    private final String server;
    /** the call before which the agent asks for a migration (AVA_MIGRATION_CALL_ID); -1: never */
    private final long migrationCallId;
    /** whether AVA_MIGRATION_CALL_ID is set at all: then the agent reports its call count at exit */
    private final boolean countCalls;

    /** open the session at start, in the background (default), instead of at the first OpenCL call */
    private final boolean eagerConnect;

    private AgentConfig(String server, long migrationCallId, boolean countCalls, boolean eagerConnect) {
        this.server = server;
        this.migrationCallId = migrationCallId;
        this.countCalls = countCalls;
        this.eagerConnect = eagerConnect;
    }

    public boolean eagerConnect() {
        return eagerConnect;
    }

    /** {@code eager} (default) or {@code lazy}; anything else is reported and taken as eager. */
    static boolean parseConnect(String v) {
        if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("eager")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("lazy")) {
            return false;
        }
        System.err.println("ava: ignoring connect=" + v + " (expected eager or lazy)");
        return true;
    }

    public long migrationCallId() {
        return migrationCallId;
    }

    public boolean countCalls() {
        return countCalls;
    }

    /**
     * AVA_MIGRATION_CALL_ID as AvA's benchmark scripts set it: {@code n} (migrate before call n,
     * counting from 0 across all threads), {@code r<limit>} (a random call below limit), or
     * {@code none} (only count calls). Anything else is reported and ignored.
     */
    static long parseMigrationCallId(String v, java.util.function.LongUnaryOperator random) {
        if (v == null || v.isBlank() || v.equalsIgnoreCase("none")) {
            return -1;
        }
        String t = v.trim();
        try {
            if (t.startsWith("r")) {
                long limit = Long.parseLong(t.substring(1));
                if (limit <= 0) {
                    throw new NumberFormatException();
                }
                return random.applyAsLong(limit);
            }
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            System.err.println("ava: ignoring AVA_MIGRATION_CALL_ID=" + v + " (expected a call number n >= 0, r<limit> or none)");
            return -1;
        }
    }

    public String server() {
        return server;
    }

    /** @param agentArgs the text after "=" in -javaagent:ava-agent.jar=server=host:port,... */
    public static AgentConfig resolve(String agentArgs, Map<String, String> env) {
        String fromArgs = null;
        String connect = null;
        if (agentArgs != null) {
            for (String part : agentArgs.split(",")) {
                String p = part.trim();
                if (p.startsWith("server=")) {
                    fromArgs = p.substring("server=".length());
                } else if (p.startsWith("connect=")) {
                    connect = p.substring("connect=".length());
                } else if (!p.isEmpty()) {
                    System.err.println("ava: ignoring unknown agent argument '" + p + "' (known: server=host:port, connect=eager|lazy)");
                }
            }
        }
        String server = fromArgs;
        if (server == null || server.isEmpty()) {
            server = System.getProperty("ava.server");
        }
        if (server == null || server.isEmpty()) {
            server = env.get("AVA_SERVER");
        }
        if (server == null || server.isEmpty()) {
            server = DEFAULT_SERVER;
        }
        String migration = System.getProperty("ava.migration.call_id", env.get("AVA_MIGRATION_CALL_ID"));
        long callId = parseMigrationCallId(migration, limit -> java.util.concurrent.ThreadLocalRandom.current().nextLong(limit));
        if (connect == null) {
            connect = System.getProperty("ava.connect", env.get("AVA_CONNECT"));
        }
        return new AgentConfig(server, callId, migration != null, parseConnect(connect));
    }
}
