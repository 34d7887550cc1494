package io.ava.bench.fake;

/** A java agent that intercepts nothing: the workload then runs natively under it. */
public final class NoopAgent {
  public static void premain(String args) {
    System.err.println("noop agent: " + args);
  }
}
