package io.ava.server.migration;

import io.ava.proto.MigrationResult;
import io.ava.server.logging.Events;

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
            Events.info(log, "migrated").addKeyValue("session", r.getSessionId()).addKeyValue("migration", r.getMigrationId())
                    .addKeyValue("to", r.getTo()).addKeyValue("ms", r.getMillis()).addKeyValue("breakdown", r.getJson()).log();
        } else {
            Events.warn(log, "migration-failed").addKeyValue("session", r.getSessionId())
                    .addKeyValue("migration", r.getMigrationId()).addKeyValue("to", r.getTo())
                    .addKeyValue("ms", r.getMillis()).addKeyValue("reason", r.getMessage()).log();
        }
        if (file != null) {
            try {
                Files.writeString(file, line + "\n" + r.getJson() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                Events.warn(log, "migration-log-unwritable").addKeyValue("file", file).addKeyValue("reason", e.getMessage()).log();
            }
        }
    }

    public synchronized List<MigrationResult> recent() {
        return List.copyOf(recent);
    }
}
