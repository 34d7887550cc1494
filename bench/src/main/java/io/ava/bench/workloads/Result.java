package io.ava.bench.workloads;

/**
 * What one run of a workload produced. The checksum and the verdict are deterministic; the
 * times are not and are only ever printed on stderr.
 *
 * @param openClNanos wall time of the OpenCL part (context creation to last release)
 * @param referenceNanos wall time of the Java reference
 * @param profiledNanos sum of the device times of the launches the workload profiled (0 if none)
 */
public record Result(
    String name,
    boolean verified,
    long checksum,
    String detail,
    long openClNanos,
    long referenceNanos,
    long profiledNanos) {}
