package io.ava.it.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import org.testcontainers.DockerClientFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ava/server and ava/bench images of this build: made by docker/build-images.sh from exactly the jars the
 * tests use, tagged {@code it-<hash of the three jars>}. The tag is the cache key: unchanged jars reuse the images
 * (no build at all), changed ones cost a build whose package layers Docker's cache keeps (a few seconds). A
 * developer's {@code :dev} images are never touched.
 */
public final class DockerImages {

    /** The two image tags. */
    public record Tags(String server, String bench) {
    }

    static final String SERVER_REPOSITORY = "ava/server";
    static final String BENCH_REPOSITORY = "ava/bench";
    /** Older it-* tags are removed after this long, so that a run in another checkout keeps its own meanwhile. */
    static final long STALE_SECONDS = 3600;
    static final long BUILD_TIMEOUT_SECONDS = 900;

    private static Tags built;
    private static AssertionError failed; // a failed build is not retried for every test

    private DockerImages() {
    }

    /**
     * Builds (or reuses) the images; {@code repoRoot} holds docker/build-images.sh, {@code workDir} receives the
     * copied jars and the build log. Fails with the log's tail when the build fails.
     */
    public static synchronized Tags ofThisBuild(Path repoRoot, Path serverJar, Path agentJar, Path benchJar, Path workDir)
            throws IOException, InterruptedException {
        if (built != null) {
            return built;
        }
        if (failed != null) {
            throw failed;
        }
        String tag = "it-" + hash(serverJar, agentJar, benchJar);
        Tags tags = new Tags(SERVER_REPOSITORY + ":" + tag, BENCH_REPOSITORY + ":" + tag);
        DockerClient docker = DockerClientFactory.instance().client();
        if (exists(docker, tags.server()) && exists(docker, tags.bench())) {
            System.err.println("ava container tests: reusing " + tags.server() + " and " + tags.bench() + " (same jars)");
        } else {
            try {
                build(repoRoot, List.of(serverJar, agentJar, benchJar), tags, workDir);
            } catch (AssertionError e) {
                failed = e;
                throw e;
            }
        }
        removeStaleTags(docker, tag);
        built = tags;
        return tags;
    }

    private static void build(Path repoRoot, List<Path> jars, Tags tags, Path workDir) throws IOException, InterruptedException {
        // AVA_JAR_DIR: the script takes the very files that were hashed, not whatever target/ holds by then
        Path jarDir = Files.createDirectories(workDir.resolve("jars"));
        for (Path jar : jars) {
            Files.copy(jar, jarDir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = workDir.resolve("build-images.log");
        // --local-base: no registry here; the script makes ava/debian-bookworm:local first when it is missing
        List<String> command = List.of("bash", repoRoot.resolve("docker/build-images.sh").toString(), "--local-base",
            "--server-tag", tags.server(), "--client-tag", tags.bench());
        ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("AVA_JAR_DIR", jarDir.toString());
        long start = System.nanoTime();
        System.err.println("ava container tests: building " + tags.server() + " and " + tags.bench() + " (log " + log + ")");
        Process p = builder.start();
        if (!p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + BUILD_TIMEOUT_SECONDS + " s\n" + tail(log, 40));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + "\n" + tail(log, 40));
        }
        System.err.printf("ava container tests: images built in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** Best effort: earlier it-* tags of both repositories, older than STALE_SECONDS and used by no container. */
    private static void removeStaleTags(DockerClient docker, String currentTag) {
        long now = System.currentTimeMillis() / 1000;
        for (String repository : List.of(SERVER_REPOSITORY, BENCH_REPOSITORY)) {
            try {
                for (Image image : docker.listImagesCmd().withImageNameFilter(repository).exec()) {
                    if (image.getCreated() == null || now - image.getCreated() < STALE_SECONDS || image.getRepoTags() == null) {
                        continue;
                    }
                    for (String t : image.getRepoTags()) {
                        if (t.startsWith(repository + ":it-") && !t.endsWith(":" + currentTag)) {
                            try {
                                docker.removeImageCmd(t).withForce(false).exec(); // refused while a container uses it
                            } catch (RuntimeException e) {
                                // in use, or gone already: leave it
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                // cleaning up is not what the tests check
            }
        }
    }

    private static boolean exists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static String hash(Path... files) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return "---- " + file + " (last " + lines + " lines) ----\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n---- end ----";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
