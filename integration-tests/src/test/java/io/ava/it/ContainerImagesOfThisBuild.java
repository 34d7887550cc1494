package io.ava.it;

import io.ava.it.containers.DockerEngine;
import io.ava.it.containers.DockerImages;

/** What every container test starts with: an engine (or a loud skip / CI failure), then this build's images. */
final class ContainerImagesOfThisBuild {
    private ContainerImagesOfThisBuild() {
    }

    /** Cached after the first call: the engine is asked, and the images built, once per test JVM. */
    static DockerImages.Tags require(String tests) throws Exception {
        DockerEngine.requireOrSkip(tests);
        return DockerImages.ofThisBuild(Paths.repoRoot(), Paths.serverJar(), Paths.agentJar(), Paths.benchJar(),
            Paths.outputDir("containers"));
    }
}
