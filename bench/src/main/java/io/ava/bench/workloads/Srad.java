package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * srad: speckle reducing anisotropic diffusion (Yu and Acton) of a noisy image: a diffusion
 * whose coefficient, from the local gradient and Laplacian against the image's overall speckle
 * statistic q0, smooths flat regions and keeps edges.
 *
 * <p>{@code srad_extract} maps the image to exp(I/255) once; per iteration {@code srad_sums}
 * reduces the image to per-group sums of J and J^2 in {@code __local} memory (the host reads
 * them, blocking, and forms q0^2), {@code srad_coeff} computes the four directional derivatives
 * and the diffusion coefficient, {@code srad_update} applies the divergence; finally
 * {@code srad_compress} maps back with log(J)*255. Four kernels, 3 launches per iteration on
 * the same buffers; every launch of the loop is profiled.
 */
public class Srad extends KernelWorkload<Srad.Input, float[]> {

  static final int GROUP = 256;
  static final int SUM_GROUPS = 64;
  static final float LAMBDA = 0.5f;

  public record Input(int rows, int cols, int iterations, float[] image) {}

  static final String SOURCE = """
      __kernel void srad_extract(__global float* img, const int size) {
          int i = get_global_id(0);
          if (i < size) img[i] = exp(img[i] / 255.0f);
      }

      __kernel void srad_sums(__global const float* img, __global float* partial, const int size,
                              __local float* s1, __local float* s2) {
          int lid = get_local_id(0);
          float a = 0.0f;
          float b = 0.0f;
          for (int i = get_global_id(0); i < size; i += get_global_size(0)) {
              float v = img[i];
              a += v;
              b += v * v;
          }
          s1[lid] = a;
          s2[lid] = b;
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
              if (lid < s) {
                  s1[lid] += s1[lid + s];
                  s2[lid] += s2[lid + s];
              }
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          if (lid == 0) {
              partial[2 * get_group_id(0)] = s1[0];
              partial[2 * get_group_id(0) + 1] = s2[0];
          }
      }

      __kernel void srad_coeff(__global const float* img, __global float* dn, __global float* ds,
                               __global float* dw, __global float* de, __global float* coeff,
                               const int rows, const int cols, const float q0sqr) {
          int i = get_global_id(0);
          if (i >= rows * cols) return;
          int r = i / cols;
          int c = i % cols;
          float j = img[i];
          // neighbours clamped at the border (zero flux)
          float n = dn[i] = img[max(r - 1, 0) * cols + c] - j;
          float s = ds[i] = img[min(r + 1, rows - 1) * cols + c] - j;
          float w = dw[i] = img[r * cols + max(c - 1, 0)] - j;
          float e = de[i] = img[r * cols + min(c + 1, cols - 1)] - j;
          float g2 = (n * n + s * s + w * w + e * e) / (j * j);
          float l = (n + s + w + e) / j;
          float num = 0.5f * g2 - 0.0625f * l * l;
          float den = 1.0f + 0.25f * l;
          float qsqr = num / (den * den);
          den = (qsqr - q0sqr) / (q0sqr * (1.0f + q0sqr));
          coeff[i] = clamp(1.0f / (1.0f + den), 0.0f, 1.0f);
      }

      __kernel void srad_update(__global float* img, __global const float* dn,
                                __global const float* ds, __global const float* dw,
                                __global const float* de, __global const float* coeff,
                                const int rows, const int cols, const float lambda) {
          int i = get_global_id(0);
          if (i >= rows * cols) return;
          int r = i / cols;
          int c = i % cols;
          float cn = coeff[i];
          float cs = coeff[min(r + 1, rows - 1) * cols + c];
          float cw = coeff[i];
          float ce = coeff[r * cols + min(c + 1, cols - 1)];
          float d = cn * dn[i] + cs * ds[i] + cw * dw[i] + ce * de[i];
          img[i] = img[i] + 0.25f * lambda * d;
      }

      __kernel void srad_compress(__global float* img, const int size) {
          int i = get_global_id(0);
          if (i < size) img[i] = log(img[i]) * 255.0f;
      }
      """;

  public Srad() {
    super("srad",
        "speckle-reducing diffusion, kernels extract, then sums + coeff + update per"
            + " iteration (blocking read of the sums), compress",
        SOURCE);
  }

  /** A smooth pattern with multiplicative speckle noise, values 0..255. */
  @Override
  protected Input generate(Size size, long seed) {
    int rows = size.pick(128, 1_024);
    int cols = size.pick(160, 1_024);
    int iterations = size.pick(4, 400);
    Random random = new Random(seed);
    float[] img = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double base = 128 + 80 * Math.sin(r / 23.0) * Math.cos(c / 17.0);
        double speckle = 1 + 0.3 * random.nextGaussian();
        img[r * cols + c] = (float) Math.max(0, Math.min(255, base * speckle));
      }
    }
    return new Input(rows, cols, iterations, img);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d x %d image, %d iterations", in.rows(), in.cols(),
        in.iterations());
  }

  /** Host part: q0^2 = variance / mean^2 of the image, from its sum and sum of squares. */
  static float q0sqr(double sum, double sumSquares, int size) {
    double mean = sum / size;
    double variance = sumSquares / size - mean * mean;
    return (float) (variance / (mean * mean));
  }

  @Override
  protected float[] compute(ClSession cl, Input in) {
    int size = in.rows() * in.cols();
    long bytes = (long) size * Sizeof.cl_float;
    cl_mem img = cl.buffer(CL_MEM_READ_WRITE, in.image());
    cl_mem[] d = new cl_mem[4];
    for (int i = 0; i < d.length; i++) {
      d[i] = cl.buffer(CL_MEM_READ_WRITE, bytes);
    }
    cl_mem coeff = cl.buffer(CL_MEM_READ_WRITE, bytes);
    cl_mem partial = cl.buffer(CL_MEM_READ_WRITE, 2L * SUM_GROUPS * Sizeof.cl_float);
    cl_kernel extract = cl.kernel("srad_extract");
    cl_kernel sums = cl.kernel("srad_sums");
    cl_kernel coeffs = cl.kernel("srad_coeff");
    cl_kernel update = cl.kernel("srad_update");
    cl_kernel compress = cl.kernel("srad_compress");
    cl.args(extract, img, size);
    cl.args(sums, img, partial, size, new ClSession.Local((long) GROUP * Sizeof.cl_float),
        new ClSession.Local((long) GROUP * Sizeof.cl_float));
    cl.args(coeffs, img, d[0], d[1], d[2], d[3], coeff, in.rows(), in.cols(), 0f);
    cl.args(update, img, d[0], d[1], d[2], d[3], coeff, in.rows(), in.cols(), LAMBDA);
    cl.args(compress, img, size);
    long[] global = {ClSession.roundUp(size, GROUP)};
    long[] local = {GROUP};

    cl.launch(extract, global, local);
    float[] p = new float[2 * SUM_GROUPS];
    for (int it = 0; it < in.iterations(); it++) {
      cl_event summed = cl.launch(sums, null, new long[] {(long) SUM_GROUPS * GROUP}, local);
      cl.read(partial, p);
      double s = 0;
      double s2 = 0;
      for (int g = 0; g < SUM_GROUPS; g++) {
        s += p[2 * g];
        s2 += p[2 * g + 1];
      }
      cl.arg(coeffs, 8, q0sqr(s, s2, size));
      cl_event coeffDone = cl.launch(coeffs, null, global, local);
      cl_event updated = cl.launch(update, null, global, local);
      cl.profileAndRelease(summed, coeffDone, updated);
    }
    cl.launch(compress, global, local);
    float[] out = new float[size];
    cl.read(img, out);
    return out;
  }

  @Override
  protected float[] reference(Input in) {
    int rows = in.rows();
    int cols = in.cols();
    int size = rows * cols;
    float[] j = new float[size];
    for (int i = 0; i < size; i++) {
      j[i] = (float) Math.exp(in.image()[i] / 255.0f);
    }
    float[][] d = new float[4][size];
    float[] c = new float[size];
    for (int it = 0; it < in.iterations(); it++) {
      double s = 0;
      double s2 = 0;
      for (float v : j) {
        s += v;
        s2 += (double) v * v;
      }
      float q0sqr = q0sqr(s, s2, size);
      for (int r = 0; r < rows; r++) {
        for (int col = 0; col < cols; col++) {
          int i = r * cols + col;
          float jc = j[i];
          float n = d[0][i] = j[Math.max(r - 1, 0) * cols + col] - jc;
          float so = d[1][i] = j[Math.min(r + 1, rows - 1) * cols + col] - jc;
          float w = d[2][i] = j[r * cols + Math.max(col - 1, 0)] - jc;
          float e = d[3][i] = j[r * cols + Math.min(col + 1, cols - 1)] - jc;
          float g2 = (n * n + so * so + w * w + e * e) / (jc * jc);
          float l = (n + so + w + e) / jc;
          float num = 0.5f * g2 - 0.0625f * l * l;
          float den = 1.0f + 0.25f * l;
          float qsqr = num / (den * den);
          den = (qsqr - q0sqr) / (q0sqr * (1.0f + q0sqr));
          c[i] = Math.max(0f, Math.min(1f, 1.0f / (1.0f + den)));
        }
      }
      for (int r = 0; r < rows; r++) {
        for (int col = 0; col < cols; col++) {
          int i = r * cols + col;
          float cs = c[Math.min(r + 1, rows - 1) * cols + col];
          float ce = c[r * cols + Math.min(col + 1, cols - 1)];
          float div = c[i] * d[0][i] + cs * d[1][i] + c[i] * d[2][i] + ce * d[3][i];
          j[i] = j[i] + 0.25f * LAMBDA * div;
        }
      }
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = (float) Math.log(j[i]) * 255.0f;
    }
    return out;
  }

  @Override
  protected Check verify(Input in, float[] expected, float[] actual) {
    return Check.floats("image", expected, actual, 1e-4, 2e-3);
  }

  @Override
  protected long checksum(float[] result) {
    return new Checksum().add(result).value();
  }
}
