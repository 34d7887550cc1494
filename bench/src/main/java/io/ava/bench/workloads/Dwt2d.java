package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * dwt2d: a multi-level 2D discrete wavelet transform of a batch of grey-level frames, with the
 * reversible integer CDF 5/3 lifting scheme of lossless JPEG 2000. On a line of n samples
 * (n even) with {@code even[i] = x[2i]} and {@code odd[i] = x[2i+1]}:
 *
 * <pre>
 *   predict  d[i] = odd[i]  - ((even[i] + even[i+1]) &gt;&gt; 1)      high half
 *   update   s[i] = even[i] + ((d[i-1] + d[i] + 2) &gt;&gt; 2)         low half
 * </pre>
 *
 * with whole-sample symmetric extension ({@code x[-1] = x[1]}, {@code x[n] = x[n-2]}), which on
 * the half-length lines is just a clamp: {@code even[n/2] = even[n/2-1]}, {@code d[-1] = d[0]}.
 * A level transforms the rows of the current LL region (low half then high half), then its
 * columns; the next level works on the top-left quarter. Integer lifting is exactly invertible,
 * so the device result can be compared exactly with the plain-Java one.
 *
 * <p>Four kernels, a work-item per coefficient pair so that each reads its few neighbours
 * straight from global memory: {@code dwt_rows} and {@code dwt_cols} (forward), and
 * {@code idwt_cols} and {@code idwt_rows} (inverse, levels in reverse order). Every pass goes
 * from one buffer to the other, so a level's two passes ping-pong the frames from the image
 * buffer to a temporary and back, both buffers reused by every level. The frames go up once with
 * a non-blocking write that the first launch waits for; the host then runs several rounds of
 * forward + inverse transform (each must give back the frames exactly), then a last forward one
 * whose coefficients are read back: they only match the reference if every inverse was exact.
 * All launches are profiled.
 */
public class Dwt2d extends KernelWorkload<Dwt2d.Input, int[]> {

  /**
   * {@code frames} images of width x height pixels 0..255, frame after frame, row-major; width
   * and height are powers of two, so every level halves even lengths down to at least 2;
   * {@code rounds} forward + inverse transforms before the forward transform that is reported.
   */
  public record Input(int width, int height, int frames, int levels, int rounds, int[] pixels) {}

  static final String SOURCE = """
      // d[j] of a line whose samples are line[k * step], pairs = n / 2
      int predict(__global const int* line, const int step, const int pairs, const int j) {
          int e0 = line[2 * j * step];
          int e1 = line[2 * min(j + 1, pairs - 1) * step];
          return line[(2 * j + 1) * step] - ((e0 + e1) >> 1);
      }

      // forward lifting of pair i: s[i] to the low half of out, d[i] to its high half
      void forward_pair(__global const int* in, __global int* out, const int step,
                        const int pairs, const int i) {
          int d = predict(in, step, pairs, i);
          int dm1 = predict(in, step, pairs, max(i - 1, 0));
          out[i * step] = in[2 * i * step] + ((dm1 + d + 2) >> 2);
          out[(pairs + i) * step] = d;
      }

      // even[j] undone from the low (s) and high (d) halves of a transformed line
      int unupdate(__global const int* line, const int step, const int pairs, const int j) {
          int d = line[(pairs + j) * step];
          int dm1 = line[(pairs + max(j - 1, 0)) * step];
          return line[j * step] - ((dm1 + d + 2) >> 2);
      }

      // inverse lifting of pair i: even[i] and odd[i] back to their interleaved places
      void inverse_pair(__global const int* in, __global int* out, const int step,
                        const int pairs, const int i) {
          int e0 = unupdate(in, step, pairs, i);
          int e1 = unupdate(in, step, pairs, min(i + 1, pairs - 1));
          out[2 * i * step] = e0;
          out[(2 * i + 1) * step] = in[(pairs + i) * step] + ((e0 + e1) >> 1);
      }

      // The region is the NDRange: rows (w/2, h, frames), columns (w, h/2, frames), so no
      // argument changes from one level to the next. A work-item does pair x of row y of frame
      // z (rows) or pair y of column x (columns).
      __kernel void dwt_rows(__global const int* src, __global int* dst, const int width,
                             const int frameSize) {
          size_t base = get_global_id(2) * frameSize + get_global_id(1) * width;
          forward_pair(src + base, dst + base, 1, get_global_size(0), get_global_id(0));
      }

      __kernel void dwt_cols(__global const int* src, __global int* dst, const int width,
                             const int frameSize) {
          size_t base = get_global_id(2) * frameSize + get_global_id(0);
          forward_pair(src + base, dst + base, width, get_global_size(1), get_global_id(1));
      }

      __kernel void idwt_cols(__global const int* src, __global int* dst, const int width,
                              const int frameSize) {
          size_t base = get_global_id(2) * frameSize + get_global_id(0);
          inverse_pair(src + base, dst + base, width, get_global_size(1), get_global_id(1));
      }

      __kernel void idwt_rows(__global const int* src, __global int* dst, const int width,
                              const int frameSize) {
          size_t base = get_global_id(2) * frameSize + get_global_id(1) * width;
          inverse_pair(src + base, dst + base, 1, get_global_size(0), get_global_id(0));
      }
      """;

  public Dwt2d() {
    super("dwt2d",
        "multi-level integer CDF 5/3 wavelet of a batch of frames, row + column kernels"
            + " ping-ponging two buffers, forward + inverse rounds, profiled launches",
        SOURCE);
  }

  /** Smooth gradients and waves that drift from frame to frame, plus noise, pixels 0..255. */
  @Override
  protected Input generate(Size size, long seed) {
    int width = size.pick(128, 1_024);
    int height = size.pick(128, 1_024);
    int frames = size.pick(2, 4);
    int levels = size.pick(4, 6);
    int rounds = size.pick(1, 300);
    Random random = new Random(seed);
    int[] pixels = new int[frames * width * height];
    for (int f = 0; f < frames; f++) {
      double phase = random.nextDouble() * Math.PI;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double v = 40 + 120.0 * x / width + 50.0 * y / height
              + 40 * Math.sin(x / 19.0 + phase + f * 0.4) * Math.cos(y / 27.0 - phase)
              + 8 * random.nextGaussian();
          pixels[(f * height + y) * width + x] = (int) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return new Input(width, height, frames, levels, rounds, pixels);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d frames of %d x %d, %d levels, %d forward+inverse rounds",
        in.frames(), in.width(), in.height(), in.levels(), in.rounds());
  }

  @Override
  protected int[] compute(ClSession cl, Input in) {
    int width = in.width();
    int frameSize = width * in.height();
    long bytes = (long) in.pixels().length * Sizeof.cl_int;
    cl_mem image = cl.buffer(CL_MEM_READ_WRITE, bytes);
    cl_mem temp = cl.buffer(CL_MEM_READ_WRITE, bytes);
    cl_event written = cl.writeAsync(image, DirectBuffers.of(in.pixels()));

    cl_kernel rows = cl.kernel("dwt_rows");
    cl_kernel cols = cl.kernel("dwt_cols");
    cl_kernel irows = cl.kernel("idwt_rows");
    cl_kernel icols = cl.kernel("idwt_cols");
    // row passes image -> temp, column passes temp -> image; inverse the other way round
    cl.args(rows, image, temp, width, frameSize);
    cl.args(cols, temp, image, width, frameSize);
    cl.args(icols, image, temp, width, frameSize);
    cl.args(irows, temp, image, width, frameSize);

    List<cl_event> launches = new ArrayList<>();
    cl_event[] waitFor = {written};
    for (int round = 0; round <= in.rounds(); round++) {
      for (int level = 0; level < in.levels(); level++) {
        int w = width >> level;
        int h = in.height() >> level;
        launches.add(cl.launch(rows, null, new long[] {w / 2, h, in.frames()}, null, waitFor));
        waitFor = new cl_event[0];
        launches.add(cl.launch(cols, null, new long[] {w, h / 2, in.frames()}, null));
      }
      if (round == in.rounds()) {
        break; // the last forward transform is the result
      }
      for (int level = in.levels() - 1; level >= 0; level--) {
        int w = width >> level;
        int h = in.height() >> level;
        launches.add(cl.launch(icols, null, new long[] {w, h / 2, in.frames()}, null));
        launches.add(cl.launch(irows, null, new long[] {w / 2, h, in.frames()}, null));
      }
      // one round's events at a time, so that a long run does not pile them up
      cl_event[] done = launches.toArray(new cl_event[0]);
      cl.profileAndRelease(done);
      launches.clear();
    }
    int[] result = new int[in.pixels().length];
    cl.read(image, result);
    cl_event[] done = launches.toArray(new cl_event[0]);
    cl.profileAndRelease(done);
    return result;
  }

  /** The forward transform once: forward + inverse rounds give back the frames exactly. */
  @Override
  protected int[] reference(Input in) {
    int width = in.width();
    int frameSize = width * in.height();
    int[] image = in.pixels().clone();
    int[] temp = new int[image.length];
    for (int level = 0; level < in.levels(); level++) {
      int w = width >> level;
      int h = in.height() >> level;
      for (int f = 0; f < in.frames(); f++) {
        for (int y = 0; y < h; y++) {
          int base = f * frameSize + y * width;
          for (int i = 0; i < w / 2; i++) {
            forwardPair(image, temp, base, 1, w / 2, i);
          }
        }
        for (int x = 0; x < w; x++) {
          int base = f * frameSize + x;
          for (int i = 0; i < h / 2; i++) {
            forwardPair(temp, image, base, width, h / 2, i);
          }
        }
      }
    }
    return image;
  }

  // the kernels' lifting steps, on a line of in[base + k * step]

  private static int predict(int[] in, int base, int step, int pairs, int j) {
    int e0 = in[base + 2 * j * step];
    int e1 = in[base + 2 * Math.min(j + 1, pairs - 1) * step];
    return in[base + (2 * j + 1) * step] - ((e0 + e1) >> 1);
  }

  private static void forwardPair(int[] in, int[] out, int base, int step, int pairs, int i) {
    int d = predict(in, base, step, pairs, i);
    int dm1 = predict(in, base, step, pairs, Math.max(i - 1, 0));
    out[base + i * step] = in[base + 2 * i * step] + ((dm1 + d + 2) >> 2);
    out[base + (pairs + i) * step] = d;
  }

  @Override
  protected Check verify(Input in, int[] expected, int[] actual) {
    return Check.ints("wavelet coefficients", expected, actual);
  }

  @Override
  protected long checksum(int[] result) {
    return new Checksum().add(result).value();
  }
}
