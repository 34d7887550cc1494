package io.ava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent keeps C2 off its own code by adding a compiler directive to the program's JVM (jit=c1, the default),
 * and leaves the JVM alone with jit=default; a native run has no such directive.
 */
class AgentJitTest {

    private static String directivesLine(ScenarioRunner.Result r) {
        assertEquals(0, r.exitCode(), r::describe);
        return r.stdout().lines().filter(l -> l.startsWith("directives: ")).findFirst()
            .orElseThrow(() -> new AssertionError("no directives line\n" + r.describe()));
    }

    @Test
    @Timeout(180)
    void theAgentExcludesItsOwnCodeFromC2UnlessToldNotTo() throws Exception {
        try (ServerProcess server = ServerProcess.start("agent-jit")) {
            ScenarioRunner.Result byDefault =
                ScenarioRunner.runRemote("CompilerDirectives", server.port(), "expect-agent");
            String line = directivesLine(byDefault);
            for (String pattern : new String[] {"io/ava/agent/", "io/ava/proto/", "io/ava/spec/", "io/ava/shaded/"}) {
                assertTrue(line.contains(pattern), () -> pattern + " missing from " + line);
            }
            // the agent's directive comes before the JVM's default one and excludes C2 (HotSpot's print format)
            String agents = line.substring(0, Math.max(0, line.indexOf("Directive: (default)")));
            assertTrue(agents.contains("c2 directives: inline: - Enable:true Exclude:true"), line);
            assertTrue(agents.contains("c1 directives: inline: - Enable:false Exclude:false"), line);
            assertFalse(line.contains("io/ava/it/"), () -> "the program's own code must keep C2: " + line);

            ScenarioRunner.Result off = ScenarioRunner.runRemoteWithAgentArgs("CompilerDirectives", server.port(),
                ",jit=default", Map.of(), "expect-none");
            String offLine = directivesLine(off);
            assertFalse(offLine.contains("io/ava/agent/"), offLine);
        }
        String nativeLine = directivesLine(ScenarioRunner.runNative("CompilerDirectives", "expect-none"));
        assertFalse(nativeLine.contains("io/ava/"), nativeLine);
    }
}
