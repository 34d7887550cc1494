package io.ava.bench.workloads;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs Rodinia-style workloads in this JVM with plain JOCL, so that the same command under
 * {@code -javaagent:ava-agent.jar=server=host:port} runs them remotely:
 *
 * <pre>
 *   java -cp bench/target/ava-bench.jar io.ava.bench.workloads.WorkloadMain &lt;name|all&gt;
 *        [--size small|bench] [--seed N]
 *   java -cp bench/target/ava-bench.jar io.ava.bench.workloads.WorkloadMain --list
 * </pre>
 *
 * <p>stdout holds only each workload's deterministic lines (see {@link KernelWorkload}), so a
 * native and a remote run can be compared with {@code diff}; times go to stderr. Exit status: 0
 * when every workload verified, 1 when one computed a wrong result, 2 when one failed with an
 * error (an OpenCL error, say) or the arguments were wrong.
 */
public final class WorkloadMain {
  static final int OK = 0;
  static final int WRONG = 1;
  static final int ERROR = 2;

  private WorkloadMain() {}

  public static void main(String[] args) {
    int code = run(Workloads.all(), args, System.out, System.err);
    System.out.flush();
    System.err.flush();
    // exit explicitly: JOCL (or the agent) may hold non-daemon threads
    System.exit(code);
  }

  /** Parses {@code args}, runs the chosen workloads from {@code available}; the exit status. */
  static int run(List<Workload> available, String[] args, PrintStream out, PrintStream err) {
    List<Workload> chosen;
    Size size = Size.SMALL;
    long seed = 1;
    try {
      String name = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--list" -> {
            for (Workload w : available) {
              out.printf(Locale.ROOT, "%-11s %s%n", w.name(), w.description());
            }
            return OK;
          }
          case "--size" -> size = Size.parse(value(args, ++i, "--size"));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
          default -> {
            if (args[i].startsWith("--") || name != null) {
              throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            name = args[i];
          }
        }
      }
      chosen = choose(available, name);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println("usage: WorkloadMain <name|all> [--size small|bench] [--seed N] | --list");
      return ERROR;
    }

    int code = OK;
    for (Workload w : chosen) {
      code = Math.max(code, runOne(w, size, seed, out, err));
    }
    return code;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException("missing value for " + option);
    }
    return args[i];
  }

  private static List<Workload> choose(List<Workload> available, String name) {
    if (name == null) {
      throw new IllegalArgumentException("no workload named");
    }
    if (name.equals("all")) {
      return available;
    }
    Optional<Workload> w =
        available.stream().filter(x -> x.name().equalsIgnoreCase(name)).findFirst();
    return List.of(w.orElseThrow(() -> new IllegalArgumentException(
        "unknown workload " + name + " (one of " + available.stream().map(Workload::name).toList()
            + ", or all)")));
  }

  private static int runOne(Workload w, Size size, long seed, PrintStream out, PrintStream err) {
    long start = System.nanoTime();
    try {
      Result r = w.run(size, seed, out);
      String profiled = r.profiledNanos() == 0 ? ""
          : String.format(Locale.ROOT, ", of it %.0f ms in profiled launches",
              r.profiledNanos() / 1e6);
      err.printf(Locale.ROOT, "%s: %.0f ms (OpenCL %.0f ms%s; Java reference %.0f ms)%n",
          w.name(), (System.nanoTime() - start) / 1e6, r.openClNanos() / 1e6, profiled,
          r.referenceNanos() / 1e6);
      return r.verified() ? OK : WRONG;
    } catch (RuntimeException | LinkageError e) {
      // an OpenCL error (CLException) or a bug: report it and go on with the next workload
      out.println(w.name() + ": FAILED (" + String.valueOf(e.getMessage()).lines().findFirst()
          .orElse("") + ")");
      out.flush();
      e.printStackTrace(err);
      return ERROR;
    }
  }
}
