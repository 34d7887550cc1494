package io.ava.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** Where the things the end-to-end tests need are: jars, scenario classes, the java binary, output folders. */
final class Paths {

    private Paths() {
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The module's target folder (surefire runs with the module as working directory and sets basedir). */
    static Path target() {
        return Path.of(System.getProperty("basedir", "."), "target").toAbsolutePath().normalize();
    }

    /** A folder under target/ for the files of one kind of run (logs, captured output). */
    static Path outputDir(String name) {
        Path dir = target().resolve("it-runs").resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        return dir;
    }

    static Path agentJar() {
        return existing("ava.agent.jar", target().resolve("../../agent/target/ava-agent.jar"));
    }

    static Path serverJar() {
        return existing("ava.server.jar", target().resolve("../../server/target/ava-server.jar"));
    }

    /** The bench jar (workloads, JOCL shaded in): the container tests run its workloads on the host and in ava/bench. */
    static Path benchJar() {
        return existing("ava.bench.jar", target().resolve("../../bench/target/ava-bench.jar"));
    }

    /** The repository root (docker/build-images.sh lives there). */
    static Path repoRoot() {
        return existing("ava.repo.root", target().resolve("../.."));
    }

    /** The folder with the compiled scenario classes (target/classes of this module). */
    static Path scenariosDir() {
        return existing("ava.scenarios.dir", target().resolve("classes"));
    }

    /** The JOCL jar on the test JVM's class path: the scenarios are run against the very same JOCL. */
    static Path joclJar() {
        Optional<String> entry = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> Path.of(e).getFileName().toString().toLowerCase().contains("jocl"))
            .findFirst();
        Path jar = Path.of(entry.orElseThrow(() -> new AssertionError(
            "no JOCL jar on the test class path: " + System.getProperty("java.class.path"))));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("JOCL jar from the class path does not exist: " + jar);
        }
        return jar.toAbsolutePath();
    }

    private static Path existing(String property, Path fallback) {
        String value = System.getProperty(property);
        Path path = (value != null ? Path.of(value) : fallback).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new AssertionError(property + " points to " + path + ", which does not exist (build the module first)");
        }
        return path;
    }
}
