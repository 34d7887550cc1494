package io.ava.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.event.KeyValuePair;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line per event, in logfmt ({@code ts=... level=INFO logger=ServerSession event=open session=s1a2b3c-1 ...})
 * or as a JSON object per line ({@code format=json}). The event's key-value pairs come first, in
 * the order they were added, then MDC entries not already given (a session's threads carry
 * {@code session}, a migration's {@code migration}), then the message, the thread, and an
 * exception with its stack trace escaped onto the same line.
 */
public final class StructuredLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private boolean json;

    /** "logfmt" (the default; "text" means the same) or "json". */
    public void setFormat(String format) {
        this.json = format != null && format.trim().equalsIgnoreCase("json");
    }

    public boolean isJson() {
        return json;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ts", TS.format(Instant.ofEpochMilli(e.getTimeStamp())));
        fields.put("level", e.getLevel().toString());
        fields.put("logger", shortName(e.getLoggerName()));
        List<KeyValuePair> kvs = e.getKeyValuePairs();
        if (kvs != null) {
            for (KeyValuePair kv : kvs) {
                fields.put(kv.key, kv.value);
            }
        }
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc != null) {
            for (Map.Entry<String, String> m : mdc.entrySet()) {
                fields.putIfAbsent(m.getKey(), m.getValue());
            }
        }
        String msg = e.getFormattedMessage();
        if (msg != null && !msg.isEmpty()) {
            fields.put("msg", msg);
        }
        fields.put("thread", e.getThreadName());
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            fields.put("error", t.getClassName() + (t.getMessage() != null ? ": " + t.getMessage() : ""));
            fields.put("stack", stack(t));
        }
        StringBuilder sb = new StringBuilder(256);
        if (json) {
            json(sb, fields);
        } else {
            logfmt(sb, fields);
        }
        return sb.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    static String shortName(String logger) {
        int dot = logger == null ? -1 : logger.lastIndexOf('.');
        return dot < 0 ? String.valueOf(logger) : logger.substring(dot + 1);
    }

    /** The trace, causes included, one frame after another: "at a.B.c(B.java:1); at ...; caused by: ...". */
    static String stack(IThrowableProxy t) {
        StringBuilder sb = new StringBuilder();
        for (IThrowableProxy p = t; p != null; p = p.getCause()) {
            if (p != t) {
                sb.append("; caused by: ").append(p.getClassName()).append(p.getMessage() != null ? ": " + p.getMessage() : "");
            }
            StackTraceElementProxy[] frames = p.getStackTraceElementProxyArray();
            int shown = Math.min(frames.length, 40);
            for (int i = 0; i < shown; i++) {
                sb.append(sb.length() == 0 ? "" : "; ").append("at ").append(frames[i].getStackTraceElement());
            }
            if (frames.length > shown) {
                sb.append("; ... ").append(frames.length - shown).append(" more");
            }
        }
        return sb.toString();
    }

    static void logfmt(StringBuilder sb, Map<String, Object> fields) {
        boolean first = true;
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (!first) {
                sb.append(' ');
            }
            first = false;
            sb.append(f.getKey()).append('=');
            String v = String.valueOf(f.getValue());
            if (needsQuotes(v)) {
                sb.append('"');
                escape(sb, v, false);
                sb.append('"');
            } else {
                sb.append(v);
            }
        }
    }

    private static boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    static void json(StringBuilder sb, Map<String, Object> fields) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"');
            escape(sb, f.getKey(), true);
            sb.append("\":");
            Object v = f.getValue();
            if (v instanceof Boolean || (v instanceof Number n && Double.isFinite(n.doubleValue()))) {
                sb.append(v);
            } else {
                sb.append('"');
                escape(sb, String.valueOf(v), true);
                sb.append('"');
            }
        }
        sb.append('}');
    }

    private static void escape(StringBuilder sb, String s, boolean json) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || (json && (c == 0x2028 || c == 0x2029))) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
