package io.ava.server.migration;

import io.ava.proto.MigrationResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The migration log, as AvA's benchmark scripts read it: per migration a line
 * {@code [<server-id>] migration takes <ms>} and one JSON line with the breakdown. Kept in a file
 * (--migration-log) and, for status, the latest 20 in memory.
 */
public final class MigrationLog {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MigrationLog.class);
    private final Path file;
    private final java.util.function.Supplier<String> serverId;
    private final ArrayDeque<MigrationResult> recent = new ArrayDeque<>();

    public MigrationLog(Path file, java.util.function.Supplier<String> serverId) {
        this.file = file;
        this.serverId = serverId;
    }

    synchronized void add(MigrationResult r) {
        recent.addLast(r);
        while (recent.size() > 20) {
            recent.removeFirst();
        }
        String line = r.getOk()
                ? "[" + serverId.get() + "] migration takes " + r.getMillis()
                : "[" + serverId.get() + "] migration of session " + r.getSessionId() + " to " + r.getTo() + " failed: " + r.getMessage();
        if (r.getOk()) {
            log.info("session={} event=migrated to={} ms={} breakdown={}", r.getSessionId(), r.getTo(), r.getMillis(), r.getJson());
        } else {
            log.warn("session={} event=migration-failed to={} reason=\"{}\"", r.getSessionId(), r.getTo(), r.getMessage());
        }
        if (file != null) {
            try {
                Files.writeString(file, line + "\n" + r.getJson() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("event=migration-log-unwritable file={} reason=\"{}\"", file, e.getMessage());
            }
        }
    }

    public synchronized List<MigrationResult> recent() {
        return List.copyOf(recent);
    }
}
