package io.ava.agent.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server address comes from the agent argument, then ava.server, then AVA_SERVER, then the default. */
class AgentConfigTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty("ava.server");
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
}
