package io.ava.bench.workloads;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The run every workload shares (generate, compute with OpenCL, compute the Java reference,
 * verify, print), so that each workload class only holds its algorithm: its kernels, its host
 * loop, its Java reference and how to compare the two.
 *
 * <p>Printed on {@code out}, and nothing else:
 *
 * <pre>
 *   NAME: size SIZE (PARAMETERS), seed SEED
 *   NAME: checksum HEX16
 *   NAME: ok                   or   NAME: WRONG RESULT (first difference)
 * </pre>
 *
 * @param <I> the generated input
 * @param <O> the result, from the device or from the reference
 */
public abstract class KernelWorkload<I, O> implements Workload {

  private final String name;
  private final String description;
  private final String source;

  /**
   * @param source the OpenCL C source with every kernel of the workload, built once per run
   */
  protected KernelWorkload(String name, String description, String source) {
    this.name = name;
    this.description = description;
    this.source = source;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String description() {
    return description;
  }

  /** Makes the input; the same size and seed always give the same input. */
  protected abstract I generate(Size size, long seed);

  /** The problem parameters, for the first line (deterministic text). */
  protected abstract String describe(I input);

  /** Computes the result on the device, in a session with this workload's program built. */
  protected abstract O compute(ClSession cl, I input);

  /** The same algorithm in plain Java. */
  protected abstract O reference(I input);

  /** Compares a device result with the reference. */
  protected abstract Check verify(I input, O expected, O actual);

  /** The checksum of a (device) result. */
  protected abstract long checksum(O result);

  @Override
  public final Result run(Size size, long seed, PrintStream out) {
    I input = generate(size, seed);
    out.printf(Locale.ROOT, "%s: size %s (%s), seed %d%n", name(), size.label(), describe(input),
        seed);
    long t0 = System.nanoTime();
    O actual;
    long profiled;
    try (ClSession cl = ClSession.open(source)) {
      actual = compute(cl, input);
      profiled = cl.profiledNanos();
    }
    long t1 = System.nanoTime();
    O expected = reference(input);
    long t2 = System.nanoTime();
    Check check = verify(input, expected, actual);
    long sum = checksum(actual);
    out.printf(Locale.ROOT, "%s: checksum %016x%n", name(), sum);
    out.println(check.ok() ? name() + ": ok" : name() + ": WRONG RESULT (" + check.detail() + ")");
    out.flush();
    return new Result(name(), check.ok(), sum, check.detail(), t1 - t0, t2 - t1, profiled);
  }
}
