package io.ava.bench.workloads;

import java.io.PrintStream;

/**
 * One Rodinia-style OpenCL program: it makes its input from a seed, computes on the first OpenCL
 * device with plain JOCL, checks the result against a Java implementation and prints only lines
 * that are the same on every run with the same size and seed (so that a native run and a run
 * under the ava agent print identical stdout).
 */
public interface Workload {

  /** The name on the command line, as in Rodinia ({@code bfs}, {@code b+tree}, ...). */
  String name();

  /** One line: what the kernels compute and how they are launched. */
  String description();

  /**
   * Runs once: generate, compute, verify. Prints the deterministic lines on {@code out} and
   * returns the outcome; OpenCL errors propagate as {@link org.jocl.CLException}, after every
   * OpenCL object the run created has been released.
   */
  Result run(Size size, long seed, PrintStream out);
}
