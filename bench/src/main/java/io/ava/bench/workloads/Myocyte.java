package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * myocyte: many independent cardiac muscle cells, each an ODE system integrated with fixed-step
 * RK4 in float. The membrane is the Aliev-Panfilov model (potential u, recovery v:
 * {@code u' = -k u (u - a)(u - 1) - u v + I}, {@code v' = (eps0 + mu1 v / (u + mu2))
 * (-v - k u (u - a - 1))}), paced by a periodic square stimulus I; it drives a calcium transient
 * {@code c' = gCa u (1 - c) - c / tauC} and an active tension {@code f' = (c^2 / (c^2 + kd^2) - f)
 * / tauF}. Every cell has its own k, a, eps0, stimulus amplitude, pacing period and phase, gCa,
 * tauC, kd and tauF. Per beat the cell records the upstroke time (u rising through
 * {@value #UP}) and the action potential duration (until u falls through {@value #DOWN}), both
 * interpolated between steps, and the beat's peak potential and tension.
 *
 * <p>{@code myocyte_advance} moves every cell (one work-item each) one chunk of steps on, on state
 * buffers that stay on the device for the whole run; after each chunk {@code myocyte_sample}
 * copies the state of every {@code stride}-th cell into a small trace buffer that comes back with
 * a non-blocking read on the sampling launch's event, into one of two direct buffers in turn (the
 * host drains the read of two chunks back, so the device runs ahead). At the end the per-cell
 * beat records and beat counts are read, blocking. Every launch is profiled.
 *
 * <p>Why the result is stable on any device: the stimulus is timed in whole steps (integer
 * arithmetic) and starts whole pulses only, well above threshold; the pacing period (45 to 75
 * time units) is well over the longest action potential (about 27), so every cell beats 1:1 on
 * a stable rhythm where a rounding difference decays instead of growing, and every recorded
 * time is interpolated, so a crossing that a 1-ulp difference moves by one step gives the same
 * time. The floats then agree with the Java reference to a tolerance, the beat counts exactly.
 */
public class Myocyte extends KernelWorkload<Myocyte.Input, Myocyte.Output> {

  static final int GROUP = 64;
  static final float DT = 0.05f;
  /** Stimulus length in steps (1 time unit). */
  static final int STIM_STEPS = 20;
  static final float UP = 0.5f;
  static final float DOWN = 0.3f;
  static final float MU1 = 0.2f;
  static final float MU2 = 0.3f;

  /**
   * {@code membrane}: (k, a, eps0, stimulus amplitude) per cell; {@code calcium}: (gCa, 1/tauC,
   * kd^2, 1/tauF); {@code pacing}: (period, phase) in steps, phase below period.
   */
  public record Input(int cells, int steps, int chunk, int samples, float[] membrane,
      float[] calcium, int[] pacing) {
    int chunks() {
      return (steps + chunk - 1) / chunk;
    }

    int stride() {
      return cells / samples;
    }
  }

  /**
   * {@code beats}: per cell (last upstroke time, duration of the last action potential, peak u
   * and peak tension of the last complete beat); {@code count}: upstrokes per cell;
   * {@code trace}: (u, v, c, f) of the sampled cells after each chunk, [chunk][sample].
   */
  public record Output(float[] beats, int[] count, float[] trace) {}

  static final String SOURCE = """
      #define MU1 0.2f
      #define MU2 0.3f
      #define UP 0.5f
      #define DOWN 0.3f

      // (u, v, c, f)' for membrane m = (k, a, eps0, amp), calcium q = (gCa, 1/tauC, kd^2, 1/tauF)
      float4 rates(float4 y, float4 m, float4 q, float stim) {
          float u = y.x, v = y.y, c = y.z, f = y.w;
          float eps = m.z + MU1 * v / (u + MU2);
          float c2 = c * c;
          float4 d;
          d.x = -m.x * u * (u - m.y) * (u - 1.0f) - u * v + stim;
          d.y = eps * (-v - m.x * u * (u - m.y - 1.0f));
          d.z = q.x * u * (1.0f - c) - c * q.y;
          d.w = (c2 / (c2 + q.z) - f) * q.w;
          return d;
      }

      __kernel void myocyte_advance(__global float4* state, __global float2* peak,
                                    __global float4* beats, __global int* count,
                                    __global const float4* membrane,
                                    __global const float4* calcium,
                                    __global const int2* pacing, const int cells,
                                    const int step0, const int steps, const float dt,
                                    const int stimSteps) {
          int i = get_global_id(0);
          if (i >= cells) return;
          float4 y = state[i];
          float2 pk = peak[i];          // peak u and f of the beat in progress
          float4 b = beats[i];
          int n = count[i];
          float4 m = membrane[i];
          float4 q = calcium[i];
          int2 pace = pacing[i];
          float h = dt;
          for (int s = step0; s < step0 + steps; s++) {
              // whole-step timing, the same on every device, and only whole pulses (a part
              // of one at the start could leave a cell at its threshold)
              float stim = s >= pace.y && (s - pace.y) % pace.x < stimSteps ? m.w : 0.0f;
              float4 k1 = rates(y, m, q, stim);
              float4 k2 = rates(y + 0.5f * h * k1, m, q, stim);
              float4 k3 = rates(y + 0.5f * h * k2, m, q, stim);
              float4 k4 = rates(y + h * k3, m, q, stim);
              float before = y.x;
              y = y + h / 6.0f * (k1 + 2.0f * k2 + 2.0f * k3 + k4);
              if (before < UP && y.x >= UP) {
                  // a new beat: close the last one, interpolate the crossing
                  b.x = ((float) s + (UP - before) / (y.x - before)) * h;
                  b.z = pk.x;
                  b.w = pk.y;
                  pk = (float2)(y.x, y.w);
                  n++;
              } else if (before >= DOWN && y.x < DOWN && n > 0) {
                  b.y = ((float) s + (before - DOWN) / (before - y.x)) * h - b.x;
              }
              pk = fmax(pk, (float2)(y.x, y.w));
          }
          state[i] = y;
          peak[i] = pk;
          beats[i] = b;
          count[i] = n;
      }

      __kernel void myocyte_sample(__global const float4* state, __global float4* trace,
                                   const int samples, const int stride) {
          int j = get_global_id(0);
          if (j < samples) trace[j] = state[j * stride];
      }
      """;

  public Myocyte() {
    super("myocyte",
        "paced cardiac cells (Aliev-Panfilov + calcium + tension, RK4), kernel advance per"
            + " chunk of steps + sample, non-blocking trace reads, profiled launches",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int cells = size.pick(1_024, 8_192);
    int steps = size.pick(3_000, 14_000);
    int chunk = size.pick(150, 100);
    int samples = size.pick(16, 64);
    Random random = new Random(seed);
    float[] membrane = new float[cells * 4];
    float[] calcium = new float[cells * 4];
    int[] pacing = new int[cells * 2];
    for (int i = 0; i < cells; i++) {
      membrane[4 * i] = 7f + 2f * random.nextFloat();
      membrane[4 * i + 1] = 0.11f + 0.06f * random.nextFloat();
      membrane[4 * i + 2] = 0.0015f + 0.0015f * random.nextFloat();
      membrane[4 * i + 3] = 0.4f + 0.2f * random.nextFloat();
      float kd = 0.25f + 0.05f * random.nextFloat();
      calcium[4 * i] = 0.04f + 0.02f * random.nextFloat();
      calcium[4 * i + 1] = 1f / (12f + 8f * random.nextFloat());
      calcium[4 * i + 2] = kd * kd;
      calcium[4 * i + 3] = 1f / (6f + 4f * random.nextFloat());
      // 45..75 time units, well over the longest action potential (about 27): 1:1 beating
      int period = 900 + random.nextInt(601);
      pacing[2 * i] = period;
      pacing[2 * i + 1] = random.nextInt(period);
    }
    return new Input(cells, steps, chunk, samples, membrane, calcium, pacing);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d cells, %d steps of %s in chunks of %d, %d sampled",
        in.cells(), in.steps(), DT, in.chunk(), in.samples());
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int cells = in.cells();
    int samples = in.samples();
    int chunks = in.chunks();
    cl_mem state = cl.buffer(CL_MEM_READ_WRITE, new float[cells * 4]); // at rest
    cl_mem peak = cl.buffer(CL_MEM_READ_WRITE, new float[cells * 2]);
    cl_mem beats = cl.buffer(CL_MEM_READ_WRITE, new float[cells * 4]);
    cl_mem count = cl.buffer(CL_MEM_READ_WRITE, new int[cells]);
    cl_mem membrane = cl.buffer(CL_MEM_READ_ONLY, in.membrane());
    cl_mem calcium = cl.buffer(CL_MEM_READ_ONLY, in.calcium());
    cl_mem pacing = cl.buffer(CL_MEM_READ_ONLY, in.pacing());
    cl_mem traceBuf = cl.buffer(CL_MEM_WRITE_ONLY, (long) samples * 4 * Sizeof.cl_float);
    cl_kernel advance = cl.kernel("myocyte_advance");
    cl_kernel sample = cl.kernel("myocyte_sample");
    cl.args(advance, state, peak, beats, count, membrane, calcium, pacing, cells, 0, 0, DT,
        STIM_STEPS);
    cl.args(sample, state, traceBuf, samples, in.stride());
    long[] global = {ClSession.roundUp(cells, GROUP)};
    long[] local = {GROUP};
    long[] sampleGlobal = {ClSession.roundUp(samples, GROUP)};

    float[] trace = new float[chunks * samples * 4];
    // two host buffers in turn, so the device can run a chunk ahead of the host: before chunk
    // c's read reuses one, the host drains chunk c - 2's
    ByteBuffer[] host = {DirectBuffers.allocate(samples * 4), DirectBuffers.allocate(samples * 4)};
    cl_event[][] pending = new cl_event[chunks][];
    for (int c = 0; c < chunks; c++) {
      if (c >= 2) {
        drain(cl, pending, c - 2, host[c % 2], trace);
      }
      int step0 = c * in.chunk();
      cl.arg(advance, 8, step0);
      cl.arg(advance, 9, Math.min(in.chunk(), in.steps() - step0));
      cl_event advanced = cl.launch(advance, null, global, local);
      cl_event sampled = cl.launch(sample, null, sampleGlobal, local);
      cl_event read = cl.readAsync(traceBuf, host[c % 2], sampled);
      pending[c] = new cl_event[] {advanced, sampled, read};
    }
    for (int c = Math.max(0, chunks - 2); c < chunks; c++) {
      drain(cl, pending, c, host[c % 2], trace);
    }
    float[] beatsOut = new float[cells * 4];
    int[] countOut = new int[cells];
    cl.read(beats, beatsOut);
    cl.read(count, countOut);
    return new Output(beatsOut, countOut, trace);
  }

  /** Waits for chunk c's trace read, keeps the trace, profiles and releases its events. */
  private static void drain(ClSession cl, cl_event[][] pending, int c, ByteBuffer host,
      float[] trace) {
    cl_event[] events = pending[c];
    cl.await(events[2]);
    host.asFloatBuffer().get(trace, c * host.capacity() / 4, host.capacity() / 4);
    cl.profile(events[0], events[1]);
    cl.release(events);
    pending[c] = null;
  }

  @Override
  protected Output reference(Input in) {
    int cells = in.cells();
    int chunks = in.chunks();
    float[] state = new float[cells * 4];
    float[] peak = new float[cells * 2];
    float[] beats = new float[cells * 4];
    int[] count = new int[cells];
    float[] trace = new float[chunks * in.samples() * 4];
    for (int c = 0; c < chunks; c++) {
      int step0 = c * in.chunk();
      int end = Math.min(in.steps(), step0 + in.chunk());
      for (int i = 0; i < cells; i++) {
        advance(in, i, step0, end, state, peak, beats, count);
      }
      for (int j = 0; j < in.samples(); j++) {
        System.arraycopy(state, 4 * j * in.stride(), trace, (c * in.samples() + j) * 4, 4);
      }
    }
    return new Output(beats, count, trace);
  }

  /** One cell from step {@code from} to {@code to}, as myocyte_advance (same float order). */
  private static void advance(Input in, int i, int from, int to, float[] state, float[] peak,
      float[] beats, int[] count) {
    float[] m = in.membrane();
    float[] q = in.calcium();
    float km = m[4 * i];
    float a = m[4 * i + 1];
    float eps0 = m[4 * i + 2];
    float amp = m[4 * i + 3];
    float gCa = q[4 * i];
    float rTauC = q[4 * i + 1];
    float kd2 = q[4 * i + 2];
    float rTauF = q[4 * i + 3];
    int period = in.pacing()[2 * i];
    int phase = in.pacing()[2 * i + 1];
    float h = DT;
    float[] y = {state[4 * i], state[4 * i + 1], state[4 * i + 2], state[4 * i + 3]};
    float pu = peak[2 * i];
    float pf = peak[2 * i + 1];
    int n = count[i];
    float[] k1 = new float[4];
    float[] k2 = new float[4];
    float[] k3 = new float[4];
    float[] k4 = new float[4];
    float[] t = new float[4];
    for (int s = from; s < to; s++) {
      float stim = s >= phase && (s - phase) % period < STIM_STEPS ? amp : 0f;
      rates(y, km, a, eps0, gCa, rTauC, kd2, rTauF, stim, k1);
      for (int v = 0; v < 4; v++) {
        t[v] = y[v] + 0.5f * h * k1[v];
      }
      rates(t, km, a, eps0, gCa, rTauC, kd2, rTauF, stim, k2);
      for (int v = 0; v < 4; v++) {
        t[v] = y[v] + 0.5f * h * k2[v];
      }
      rates(t, km, a, eps0, gCa, rTauC, kd2, rTauF, stim, k3);
      for (int v = 0; v < 4; v++) {
        t[v] = y[v] + h * k3[v];
      }
      rates(t, km, a, eps0, gCa, rTauC, kd2, rTauF, stim, k4);
      float before = y[0];
      for (int v = 0; v < 4; v++) {
        y[v] = y[v] + h / 6.0f * (k1[v] + 2.0f * k2[v] + 2.0f * k3[v] + k4[v]);
      }
      if (before < UP && y[0] >= UP) {
        beats[4 * i] = ((float) s + (UP - before) / (y[0] - before)) * h;
        beats[4 * i + 2] = pu;
        beats[4 * i + 3] = pf;
        pu = y[0];
        pf = y[3];
        n++;
      } else if (before >= DOWN && y[0] < DOWN && n > 0) {
        beats[4 * i + 1] = ((float) s + (before - DOWN) / (before - y[0])) * h - beats[4 * i];
      }
      pu = Math.max(pu, y[0]);
      pf = Math.max(pf, y[3]);
    }
    System.arraycopy(y, 0, state, 4 * i, 4);
    peak[2 * i] = pu;
    peak[2 * i + 1] = pf;
    count[i] = n;
  }

  private static void rates(float[] y, float km, float a, float eps0, float gCa, float rTauC,
      float kd2, float rTauF, float stim, float[] d) {
    float u = y[0];
    float v = y[1];
    float c = y[2];
    float f = y[3];
    float eps = eps0 + MU1 * v / (u + MU2);
    float c2 = c * c;
    d[0] = -km * u * (u - a) * (u - 1.0f) - u * v + stim;
    d[1] = eps * (-v - km * u * (u - a - 1.0f));
    d[2] = gCa * u * (1.0f - c) - c * rTauC;
    d[3] = (c2 / (c2 + kd2) - f) * rTauF;
  }

  /**
   * Per field, each to about 20 times the largest difference seen between PoCL and Java: times
   * (up to 700, where a float step is 6e-5) to 2e-3 of a time unit, well under the 0.05 step
   * that a wrong crossing or stimulus costs; peak potential and tension (0..1) to 1e-4; the
   * sampled states, which may fall on an upstroke, to 1e-4 relative plus 2e-4; counts exactly.
   */
  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    int cells = in.cells();
    Check check = Check.ints("beat counts", expected.count(), actual.count());
    String[] names = {"last upstroke time", "action potential duration", "peak potential",
        "peak tension"};
    double[] abs = {2e-3, 2e-3, 1e-4, 1e-4};
    for (int field = 0; field < 4; field++) {
      check = check.and(Check.floats(names[field], field(expected.beats(), field, cells),
          field(actual.beats(), field, cells), 0, abs[field]));
    }
    return check.and(Check.floats("sampled trace", expected.trace(), actual.trace(), 1e-4, 2e-4));
  }

  private static float[] field(float[] values, int field, int cells) {
    float[] out = new float[cells];
    for (int i = 0; i < cells; i++) {
      out[i] = values[4 * i + field];
    }
    return out;
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.beats()).add(result.count()).add(result.trace()).value();
  }
}
