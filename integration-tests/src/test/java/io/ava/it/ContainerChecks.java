package io.ava.it;

import io.ava.it.containers.ServerContainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks the container tests share: what a server container's log and status must show. */
final class ContainerChecks {
    private ContainerChecks() {
    }

    /** The client has exited: the server keeps no session and no object (polled: the close may trail the exit). */
    static void keepsNothing(ServerContainer server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        ServerContainer.Status s = server.status();
        while ((s.liveObjects() != 0 || s.sessions() != 0) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            s = server.status();
        }
        ServerContainer.Status last = s;
        assertEquals(0, last.sessions(), () -> "sessions left on " + server.name() + ":\n" + last.raw() + server.logTail(40));
        assertEquals(0, last.liveObjects(), () -> "objects left on " + server.name() + ":\n" + last.raw() + server.logTail(40));
    }

    /**
     * The calls the server served for session {@code session} (null: the first one), from the line it logs when it
     * lets the session go (the client closed it, or it moved away); waits up to 20 s for that line.
     */
    static long callsServed(ServerContainer server, String session) throws Exception {
        Pattern released = Pattern.compile("event=released session=" + (session == null ? "\\S+" : Pattern.quote(session))
            + " objects=\\d+ calls=(\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Matcher m = released.matcher(Files.readString(server.log(), StandardCharsets.UTF_8));
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
            assertTrue(System.nanoTime() < deadline, () -> server.name() + " never logged '" + released.pattern() + "'\n"
                + server.logTail(40));
            Thread.sleep(200);
        }
    }
}
