package io.ava.agent.session;

import java.util.Map;

/** Where the agent finds its server: agent argument, then system property, then environment. */
public final class AgentConfig {
    public static final String DEFAULT_SERVER = "localhost:4000";

    private final String server;

    private AgentConfig(String server) {
        this.server = server;
    }

    public String server() {
        return server;
    }

    /** @param agentArgs the text after "=" in -javaagent:ava-agent.jar=server=host:port,... */
    public static AgentConfig resolve(String agentArgs, Map<String, String> env) {
        String fromArgs = null;
        if (agentArgs != null) {
            for (String part : agentArgs.split(",")) {
                String p = part.trim();
                if (p.startsWith("server=")) {
                    fromArgs = p.substring("server=".length());
                } else if (!p.isEmpty()) {
                    System.err.println("ava: ignoring unknown agent argument '" + p + "' (known: server=host:port)");
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
        return new AgentConfig(server);
    }
}
