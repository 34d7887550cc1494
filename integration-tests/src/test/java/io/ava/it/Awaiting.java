package io.ava.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

    /** Polls {@code condition} until it holds; fails with {@code why} when {@code timeout} passes first. */
    static void until(Duration timeout, BooleanSupplier condition, Supplier<String> why) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + why.get());
            }
            Thread.sleep(100);
        }
    }
}
