package io.ava.agent;

import io.ava.agent.interception.JoclTransformer;
import io.ava.agent.jit.AgentCodeDirectives;
import io.ava.agent.interception.NativeBridge;
import io.ava.agent.session.AgentConfig;
import io.ava.agent.session.AgentConnection;
import io.ava.agent.session.RemoteCalls;
import io.ava.spec.Spec;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.CompletableFuture;

/**
 * -javaagent entry point. It only registers the transformer for org.jocl.CL, which must be in
 * place before the application loads that class, and leaves the rest (the spec, the rewrite, the
 * connection) to a start-up thread, so the program starts as it would without the agent and
 * only its first use of JOCL waits for what is not ready yet.
 */
public final class AvaAgent {
    private AvaAgent() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        AgentConfig config = AgentConfig.resolve(agentArgs, System.getenv());
        JoclTransformer transformer = new JoclTransformer();
        inst.addTransformer(transformer);
        // three jobs side by side: the connection, the spec and calls, the rewrite of CL
        // the spec's digest (a SHA-256 of the YAML) is taken where the session opens, off this thread
        AgentConnection connection = new AgentConnection(config);
        if (config.eagerConnect()) {
            connection.connectInBackground();
        }
        CompletableFuture<Spec> spec = new CompletableFuture<>();
        daemon("ava-start", () -> {
            try {
                Spec s = Spec.bundled();
                spec.complete(s);
                NativeBridge.install(new RemoteCalls(s, connection));
            } catch (RuntimeException | LinkageError e) {
                spec.completeExceptionally(e);
                NativeBridge.failed(e);
            }
        });
        daemon("ava-rewrite", () -> {
            transformer.prepare(spec);
            if (config.agentCodeC1Only()) {
                String problem = AgentCodeDirectives.install(inst);
                if (problem != null && System.getenv("AVA_TRACE") != null) {
                    System.err.println("ava: C2 still compiles the agent's code: " + problem);
                }
            }
        });
    }

    public static void agentmain(String agentArgs, Instrumentation inst) {
        premain(agentArgs, inst);
    }

    private static void daemon(String name, Runnable job) {
        Thread t = new Thread(job, name);
        t.setDaemon(true);
        t.start();
    }
}
