package io.ava.server.logging;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Starts a structured log event: {@code Events.info(log, "open").addKeyValue("session", id).log()}
 * prints {@code ... event=open session=...}. Keys are lower case with underscores; the layout
 * ({@link StructuredLayout}) puts them on one line.
 */
public final class Events {
    private Events() {
    }

    public static LoggingEventBuilder info(Logger log, String event) {
        return log.atInfo().addKeyValue("event", event);
    }

    public static LoggingEventBuilder warn(Logger log, String event) {
        return log.atWarn().addKeyValue("event", event);
    }

    public static LoggingEventBuilder error(Logger log, String event) {
        return log.atError().addKeyValue("event", event);
    }

    public static LoggingEventBuilder debug(Logger log, String event) {
        return log.atDebug().addKeyValue("event", event);
    }

    public static LoggingEventBuilder trace(Logger log, String event) {
        return log.atTrace().addKeyValue("event", event);
    }
}
