/**
 * Rodinia-style OpenCL workloads: fifteen plain JOCL programs (backprop, bfs, b+tree, dwt2d,
 * gaussian, heartwall, hybridsort, kmeans, lavaMD, lud, myocyte, nn, nw, pathfinder, srad) with
 * their own kernels, each
 * checked against a Java implementation of the same algorithm.
 *
 * <pre>
 *   java -cp bench/target/ava-bench.jar io.ava.bench.workloads.WorkloadMain &lt;name|all&gt;
 *        [--size small|bench] [--seed N]
 * </pre>
 *
 * runs them natively; the same command with
 * {@code -javaagent:agent/target/ava-agent.jar=server=host:port} runs them against an ava
 * server, and prints the same stdout (name, size, seed, checksum, ok) when the server's device
 * is the same kind. {@code --list} names them with their kernels and launch pattern.
 *
 * <p>Structure: {@link io.ava.bench.workloads.Workload} is what the command runs;
 * {@link io.ava.bench.workloads.KernelWorkload} is the shared run (generate, compute, reference,
 * verify, print); {@link io.ava.bench.workloads.ClSession} the shared OpenCL boilerplate, which
 * releases every object a run creates; {@link io.ava.bench.workloads.Check} and
 * {@link io.ava.bench.workloads.Checksum} compare and hash results;
 * {@link io.ava.bench.workloads.Workloads} lists the workloads.
 */
package io.ava.bench.workloads;
