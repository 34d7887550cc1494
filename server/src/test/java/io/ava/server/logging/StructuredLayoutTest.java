package io.ava.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructuredLayoutTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String message, Throwable t, Map<String, String> mdc, Object... kv) {
        LoggingEvent e = new LoggingEvent("fqcn", context.getLogger("io.ava.server.session.ServerSession"), Level.INFO, message, t, null);
        for (int i = 0; i < kv.length; i += 2) {
            e.addKeyValuePair(new KeyValuePair((String) kv[i], kv[i + 1]));
        }
        e.setMDCPropertyMap(mdc);
        e.setThreadName("worker 1");
        e.setTimeStamp(0);
        return e;
    }

    private static StructuredLayout layout(String format) {
        StructuredLayout l = new StructuredLayout();
        l.setFormat(format);
        return l;
    }

    @Test
    void logfmtOneLineKeyValuesThenMdc() {
        String line = layout("logfmt").doLayout(event(null, null, Map.of("session", "s1-9", "migration", "m42"),
                "event", "open", "session", "s1-1", "client", "/127.0.0.1:5", "name", "a \"quoted\" name", "n", 3, "empty", ""));
        assertEquals("ts=1970-01-01T00:00:00.000Z level=INFO logger=ServerSession event=open session=s1-1 client=/127.0.0.1:5 "
                + "name=\"a \\\"quoted\\\" name\" n=3 empty=\"\" migration=m42 thread=\"worker 1\"" + System.lineSeparator(), line);
    }

    @Test
    void messagesAndExceptionsStayOnTheLine() {
        Exception cause = new IllegalStateException("inner\nsecond line");
        String line = layout("text").doLayout(event("a message with = sign", new RuntimeException("outer", cause), Map.of(),
                "event", "internal-error"));
        assertEquals(1, line.strip().lines().count(), line);
        assertTrue(line.contains(" msg=\"a message with = sign\" "), line);
        assertTrue(line.contains(" error=\"java.lang.RuntimeException: outer\" "), line);
        assertTrue(line.contains(" stack=\"at io.ava.server.logging.StructuredLayoutTest.messagesAndExceptionsStayOnTheLine("), line);
        assertTrue(line.contains("; caused by: java.lang.IllegalStateException: inner\\nsecond line"), line);
    }

    @Test
    void jsonLines() {
        StructuredLayout l = layout("JSON");
        assertTrue(l.isJson());
        String line = l.doLayout(event(null, new RuntimeException("x\ty"), Map.of("session", "s1-1"),
                "event", "migrated", "ms", 12L, "ok", true, "breakdown", "{\"a\":1}"));
        assertTrue(line.startsWith("{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"INFO\",\"logger\":\"ServerSession\","
                + "\"event\":\"migrated\",\"ms\":12,\"ok\":true,\"breakdown\":\"{\\\"a\\\":1}\",\"session\":\"s1-1\","
                + "\"thread\":\"worker 1\",\"error\":\"java.lang.RuntimeException: x\\ty\",\"stack\":\"at "), line);
        assertTrue(line.endsWith("\"}" + System.lineSeparator()), line);
        assertFalse(line.strip().contains("\n"), line);
    }

    @Test
    void unknownFormatIsLogfmt() {
        assertFalse(layout("yaml").isJson());
        assertFalse(layout(null).isJson());
    }
}
