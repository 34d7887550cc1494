package io.ava.agent;

import io.ava.agent.interception.ClInterception;
import io.ava.agent.session.AgentConfig;
import io.ava.agent.session.AgentConnection;
import io.ava.agent.session.RemoteCalls;
import io.ava.spec.Spec;

import java.lang.instrument.Instrumentation;

/**
 * -javaagent entry point. It only wires things up: the spec, the lazily opened connection and
 * the rewrite of org.jocl.CL, which must happen before the application loads that class.
 */
public final class AvaAgent {
    private AvaAgent() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        AgentConfig config = AgentConfig.resolve(agentArgs, System.getenv());
        Spec spec = Spec.bundled();
        RemoteCalls calls = new RemoteCalls(spec, new AgentConnection(config, spec));
        ClInterception.install(inst, calls);
    }

    public static void agentmain(String agentArgs, Instrumentation inst) {
        premain(agentArgs, inst);
    }
}
