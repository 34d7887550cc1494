package io.ava.agent.session;

import java.util.Map;

/**
 * Where the agent finds its server and what it presents there. Each setting comes from the agent
 * argument, then the system property, then the environment: the server from {@code server=},
 * {@code ava.server}, {@code AVA_SERVER}; the token from {@code token=} (or {@code tokenFile=}, whose
 * content is trimmed), {@code ava.token}, {@code AVA_TOKEN}. TLS files come from the agent
 * arguments {@code tlsCa=}, {@code tlsCert=}, {@code tlsKey=} only.
 */
public final class AgentConfig {
    public static final String DEFAULT_SERVER = "localhost:4000";

    private final String server;
    /** the call before which the agent asks for a migration (AVA_MIGRATION_CALL_ID); -1: never */
    private final long migrationCallId;
    /** whether AVA_MIGRATION_CALL_ID is set at all: then the agent reports its call count at exit */
    private final boolean countCalls;

    private final Credentials credentials;
    /** open the session at start, in the background (default), instead of at the first OpenCL call */
    private final boolean eagerConnect;
    private boolean agentCodeC1Only = true;

    /** how long the agent tries to get a dropped connection back before it gives up (0: it gives up at once) */
    private long reconnectSeconds = DEFAULT_RECONNECT_SECONDS;
    public static final long DEFAULT_RECONNECT_SECONDS = 30;

    public long reconnectSeconds() {
        return reconnectSeconds;
    }

    /** {@code reconnect=SECONDS} / ava.reconnect / AVA_RECONNECT: seconds >= 0; anything else is reported and the default kept. */
    static long parseReconnect(String v) {
        if (v == null || v.isBlank()) {
            return DEFAULT_RECONNECT_SECONDS;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("ava: ignoring reconnect=" + v + " (expected seconds >= 0)");
        return DEFAULT_RECONNECT_SECONDS;
    }

    private AgentConfig(String server, long migrationCallId, boolean countCalls, Credentials credentials,
            boolean eagerConnect) {
        this.server = server;
        this.credentials = credentials;
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

    /**
     * jit=c1 (the default): C2 leaves the agent's own code to C1 (see AgentCodeDirectives);
     * jit=default: the JVM compiles it as it compiles everything else.
     */
    static boolean parseJit(String v) {
        if (v == null || v.isBlank() || v.trim().equals("c1")) {
            return true;
        }
        if (v.trim().equals("default")) {
            return false;
        }
        System.err.println("ava: ignoring jit=" + v + " (expected c1 or default)");
        return true;
    }

    /** Whether the agent keeps C2 off its own code. */
    public boolean agentCodeC1Only() {
        return agentCodeC1Only;
    }

    public String server() {
        return server;
    }

    public Credentials credentials() {
        return credentials;
    }

    /** @param agentArgs the text after "=" in -javaagent:ava-agent.jar=server=host:port,... */
    public static AgentConfig resolve(String agentArgs, Map<String, String> env) {
        String fromArgs = null;
        Map<String, String> named = new java.util.HashMap<>();
        java.util.Set<String> known = java.util.Set.of("token", "tokenFile", "tlsCa", "tlsCert", "tlsKey", "connect", "reconnect", "jit");
        if (agentArgs != null) {
            for (String part : agentArgs.split(",")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (p.startsWith("server=")) {
                    fromArgs = p.substring("server=".length());
                } else if (eq > 0 && known.contains(p.substring(0, eq))) {
                    named.put(p.substring(0, eq), p.substring(eq + 1).trim());
                } else if (!p.isEmpty()) {
                    System.err.println("ava: ignoring unknown agent argument '" + (eq > 0 ? p.substring(0, eq) + "=..." : p)
                            + "' (known: server=host:port or server=direct://host:port, token=, tokenFile=, tlsCa=, tlsCert=, tlsKey=, connect=eager|lazy, reconnect=SECONDS, jit=c1|default)");
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
        String connect = named.get("connect");
        if (connect == null) {
            connect = System.getProperty("ava.connect", env.get("AVA_CONNECT"));
        }
        String reconnect = named.get("reconnect");
        if (reconnect == null) {
            reconnect = System.getProperty("ava.reconnect", env.get("AVA_RECONNECT"));
        }
        AgentConfig c = new AgentConfig(server, callId, migration != null, credentials(named, env), parseConnect(connect));
        c.reconnectSeconds = parseReconnect(reconnect);
        String jit = named.get("jit");
        if (jit == null) {
            jit = System.getProperty("ava.jit", env.get("AVA_JIT"));
        }
        c.agentCodeC1Only = parseJit(jit);
        return c;
    }

    private static Credentials credentials(Map<String, String> args, Map<String, String> env) {
        String token = null;
        String source = null;
        if (nonEmpty(args.get("token"))) {
            token = args.get("token");
            source = "the agent argument token=";
        } else if (nonEmpty(args.get("tokenFile"))) {
            source = "the token file " + args.get("tokenFile");
            try {
                token = java.nio.file.Files.readString(java.nio.file.Path.of(args.get("tokenFile"))).trim();
                if (token.isEmpty()) {
                    System.err.println("ava: the token file " + args.get("tokenFile") + " is empty");
                    token = null;
                }
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("ava: cannot read the token file " + args.get("tokenFile") + ": " + e.getMessage());
            }
        } else if (nonEmpty(System.getProperty("ava.token"))) {
            token = System.getProperty("ava.token").trim();
            source = "-Dava.token";
        } else if (nonEmpty(env.get("AVA_TOKEN"))) {
            token = env.get("AVA_TOKEN").trim();
            source = "AVA_TOKEN";
        }
        java.io.File cert = file(args.get("tlsCert"));
        java.io.File key = file(args.get("tlsKey"));
        if ((cert == null) != (key == null)) {
            System.err.println("ava: the agent arguments tlsCert= and tlsKey= go together; ignoring the one given");
            cert = null;
            key = null;
        }
        return new Credentials(token, source, file(args.get("tlsCa")), cert, key);
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }

    private static java.io.File file(String s) {
        return nonEmpty(s) ? new java.io.File(s) : null;
    }
}
