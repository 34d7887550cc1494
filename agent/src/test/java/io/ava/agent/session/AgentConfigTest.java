package io.ava.agent.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server address comes from the agent argument, then ava.server, then AVA_SERVER, then the default. */
class AgentConfigTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty("ava.server");
        System.clearProperty("ava.token");
    }

    @Test
    void tokenArgumentThenFileThenPropertyThenEnvironment() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("ava-token", "");
        java.nio.file.Files.writeString(f, "  from-file \n");
        System.setProperty("ava.token", "from-prop");
        Map<String, String> env = Map.of("AVA_TOKEN", "from-env");
        assertEquals("from-arg", AgentConfig.resolve("server=a:1,token=from-arg,tokenFile=" + f, env).credentials().token());
        assertEquals("from-file", AgentConfig.resolve("tokenFile=" + f, env).credentials().token());
        assertEquals("from-prop", AgentConfig.resolve(null, env).credentials().token());
        System.clearProperty("ava.token");
        assertEquals("from-env", AgentConfig.resolve(null, env).credentials().token());
        assertEquals(null, AgentConfig.resolve(null, Map.of()).credentials().token());
        java.nio.file.Files.delete(f);
    }

    @Test
    void refusalNamesTheServerAndTheReasonOnOneLine() {
        String line = AgentConnection.refusal("h:4000", Credentials.NONE, "UNAUTHENTICATED: ava-server refused the call: missing token");
        assertEquals(true, line.startsWith("ava: server h:4000 refused the session: missing token (") && line.contains("AVA_TOKEN"), line);
        String tls = AgentConnection.refusal("h:4000", Credentials.NONE, "UNAVAILABLE: io exception\n  ssl handshake failed");
        assertEquals(true, tls.startsWith("ava: TLS with ava-server at h:4000 failed") && !tls.contains("\n"), tls);
    }

    @Test
    void agentArgumentWins() {
        System.setProperty("ava.server", "prop:1");
        assertEquals("arg:2", AgentConfig.resolve("server=arg:2", Map.of("AVA_SERVER", "env:3")).server());
    }

    @Test
    void systemPropertyBeforeEnvironment() {
        System.setProperty("ava.server", "prop:1");
        assertEquals("prop:1", AgentConfig.resolve(null, Map.of("AVA_SERVER", "env:3")).server());
    }

    @Test
    void environmentBeforeDefault() {
        assertEquals("env:3", AgentConfig.resolve("", Map.of("AVA_SERVER", "env:3")).server());
    }

    @Test
    void defaultIsLocalhost4000() {
        assertEquals("localhost:4000", AgentConfig.resolve(null, Map.of()).server());
    }

    @Test
    void connectsEagerlyUnlessToldLazy() {
        assertEquals(true, AgentConfig.resolve(null, Map.of()).eagerConnect());
        assertEquals(false, AgentConfig.resolve("server=a:1,connect=lazy", Map.of()).eagerConnect());
        assertEquals(false, AgentConfig.resolve(null, Map.of("AVA_CONNECT", "LAZY")).eagerConnect());
        assertEquals(true, AgentConfig.resolve("connect=eager", Map.of("AVA_CONNECT", "lazy")).eagerConnect());
    }

    @Test
    void reconnectsForThirtySecondsUnlessToldOtherwise() {
        assertEquals(30, AgentConfig.resolve(null, Map.of()).reconnectSeconds());
        assertEquals(5, AgentConfig.resolve("server=a:1,reconnect=5", Map.of("AVA_RECONNECT", "9")).reconnectSeconds());
        assertEquals(9, AgentConfig.resolve(null, Map.of("AVA_RECONNECT", "9")).reconnectSeconds());
        assertEquals(0, AgentConfig.resolve("reconnect=0", Map.of()).reconnectSeconds());
        assertEquals(30, AgentConfig.resolve("reconnect=soon", Map.of()).reconnectSeconds());
    }

    @Test
    void jitIsC1UnlessToldDefault() {
        assertTrue(AgentConfig.resolve("server=h:1", java.util.Map.of()).agentCodeC1Only());
        assertFalse(AgentConfig.resolve("server=h:1,jit=default", java.util.Map.of()).agentCodeC1Only());
        assertFalse(AgentConfig.resolve("server=h:1", java.util.Map.of("AVA_JIT", "default")).agentCodeC1Only());
        assertTrue(AgentConfig.resolve("server=h:1,jit=c1", java.util.Map.of("AVA_JIT", "default")).agentCodeC1Only());
        assertTrue(AgentConfig.resolve("server=h:1,jit=fast", java.util.Map.of()).agentCodeC1Only(), "unknown: the default");
    }
}
