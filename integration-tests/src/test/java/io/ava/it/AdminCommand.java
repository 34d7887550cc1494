package io.ava.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code ava-server <subcommand> ...} (migrate, status) as an operator would. */
final class AdminCommand {
    record Result(int exitCode, String output) {
    }

    private AdminCommand() {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.java().toString(), "-jar", Paths.serverJar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("'" + String.join(" ", command) + "' did not finish within 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result migrateAll(ServerProcess from, String to) throws IOException, InterruptedException {
        return to == null ? run("migrate", "--server", from.address(), "--all")
                : run("migrate", "--server", from.address(), "--all", "--to", to);
    }
}
