package io.ava.bench.run;

import io.ava.bench.workloads.Size;
import java.nio.file.Path;
import java.util.List;

/**
 * What every forked JVM of an experiment shares: the java binary, the class path holding
 * WorkloadMain, the jars, the JVM arguments, the problem size and seed, and the time limits.
 */
public record RunSettings(
    String java,
    String classPath,
    Path serverJar,
    Path agentJar,
    List<String> serverJvmArgs,
    List<String> workloadJvmArgs,
    Size size,
    long seed,
    double childTimeoutS,
    double serverStartTimeoutS,
    boolean direct) {}
