package io.ava.it;

import java.time.Duration;
import java.util.function.Predicate;

/** Polls the server's status until a condition holds or time runs out; returns the last status seen. */
final class Awaiting {

    private Awaiting() {
    }

    static ServerProcess.Status status(ServerProcess server, Predicate<ServerProcess.Status> condition, Duration timeout)
        throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ServerProcess.Status last = server.status();
        while (!condition.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = server.status();
        }
        return last;
    }
}
