package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * backprop: trains a network with a large input layer, {@value #H} sigmoid hidden units and one
 * output unit by back-propagation with momentum, one input pattern per step.
 *
 * <p>The input-to-hidden layer, the big one, lives on the device, as in Rodinia: per step the
 * input pattern goes up with a non-blocking write that {@code bp_forward} waits for;
 * {@code bp_forward} multiplies {@value #H} x {@value #H} blocks of inputs and weights and sums
 * each block's column in {@code __local} memory; the host reads the block sums (blocking),
 * finishes the hidden and output layers and the error terms, writes the hidden deltas back
 * (blocking) and {@code bp_adjust} updates the weights. The weights are read once at the end.
 */
public class Backprop extends KernelWorkload<Backprop.Input, Backprop.Output> {

  static final int H = 16;
  static final float ETA = 0.3f;
  static final float MOMENTUM = 0.3f;

  /**
   * {@code inputs}: one pattern of n values per step (each with a leading bias 1, so n+1 rows of
   * the weight matrix); {@code weights}: (n+1) x H, row-major; {@code outWeights}: H+1 (bias
   * last); {@code targets}: one per step.
   */
  public record Input(int n, int steps, float[] inputs, float[] weights, float[] outWeights,
      float[] targets) {}

  /** The input-to-hidden weights after training and the network's output at every step. */
  public record Output(float[] weights, float[] outputs) {}

  static final String SOURCE = """
      #define H 16

      __kernel void bp_forward(__global const float* x, __global const float* w,
                               __global float* blockSums, const int rows) {
          __local float prod[H][H];
          int j = get_local_id(0);   // hidden unit
          int r = get_local_id(1);   // input within the block
          int i = get_global_id(1);
          prod[r][j] = i < rows ? x[i] * w[i * H + j] : 0.0f;
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int s = H / 2; s > 0; s >>= 1) {
              if (r < s) prod[r][j] += prod[r + s][j];
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          if (r == 0) blockSums[get_group_id(1) * H + j] = prod[0][j];
      }

      __kernel void bp_adjust(__global const float* delta, __global const float* x,
                              __global float* w, __global float* previous, const int rows,
                              const float eta, const float momentum) {
          int j = get_global_id(0);
          int i = get_global_id(1);
          if (i >= rows) return;
          int k = i * H + j;
          float dw = eta * delta[j] * x[i] + momentum * previous[k];
          w[k] += dw;
          previous[k] = dw;
      }
      """;

  public Backprop() {
    super("backprop",
        "neural-net training, kernels forward (16x16 __local block sums) + adjust weights"
            + " per step, host hidden/output layers",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int n = size.pick(4_096, 250_000);
    int steps = size.pick(3, 140);
    Random random = new Random(seed);
    float[] inputs = new float[steps * (n + 1)];
    float[] targets = new float[steps];
    for (int s = 0; s < steps; s++) {
      inputs[s * (n + 1)] = 1f; // bias
      for (int i = 1; i <= n; i++) {
        inputs[s * (n + 1) + i] = random.nextFloat();
      }
      targets[s] = random.nextFloat();
    }
    // small weights, so the hidden units are not saturated by the sum over n inputs
    float scale = (float) (2 / Math.sqrt(n));
    float[] weights = new float[(n + 1) * H];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (random.nextFloat() - 0.5f) * scale;
    }
    float[] outWeights = new float[H + 1];
    for (int j = 0; j <= H; j++) {
      outWeights[j] = random.nextFloat() - 0.5f;
    }
    return new Input(n, steps, inputs, weights, outWeights, targets);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d inputs, %d hidden, 1 output, %d steps", in.n(), H,
        in.steps());
  }

  @Override
  protected Output compute(ClSession cl, Input in) {
    int rows = in.n() + 1;
    int blocks = (rows + H - 1) / H;
    cl_mem x = cl.buffer(CL_MEM_READ_ONLY, (long) rows * Sizeof.cl_float);
    cl_mem w = cl.buffer(CL_MEM_READ_WRITE, in.weights());
    cl_mem previous = cl.buffer(CL_MEM_READ_WRITE, new float[in.weights().length]);
    cl_mem blockSums = cl.buffer(CL_MEM_READ_WRITE, (long) blocks * H * Sizeof.cl_float);
    cl_mem delta = cl.buffer(CL_MEM_READ_ONLY, (long) H * Sizeof.cl_float);
    cl_kernel forward = cl.kernel("bp_forward");
    cl_kernel adjust = cl.kernel("bp_adjust");
    cl.args(forward, x, w, blockSums, rows);
    cl.args(adjust, delta, x, w, previous, rows, ETA, MOMENTUM);
    long[] global = {H, (long) blocks * H};
    long[] local = {H, H};

    Network net = new Network(in.outWeights());
    float[] sums = new float[blocks * H];
    float[] outputs = new float[in.steps()];
    ByteBuffer pattern = DirectBuffers.allocate(rows);
    for (int s = 0; s < in.steps(); s++) {
      pattern.asFloatBuffer().put(in.inputs(), s * rows, rows);
      cl_event written = cl.writeAsync(x, pattern);
      cl_event forwarded = cl.launch(forward, null, global, local, written);
      cl.read(blockSums, sums); // also completes the write: the pattern may be refilled
      float[] hiddenIn = new float[H];
      for (int b = 0; b < blocks; b++) {
        for (int j = 0; j < H; j++) {
          hiddenIn[j] += sums[b * H + j];
        }
      }
      outputs[s] = net.step(hiddenIn, in.targets()[s]);
      cl.write(delta, net.hiddenDelta);
      cl.launch(adjust, global, local);
      cl.release(written, forwarded);
    }
    float[] weights = new float[in.weights().length];
    cl.read(w, weights);
    return new Output(weights, outputs);
  }

  /**
   * Host part (the same for device and reference): the hidden and output layers, the error
   * terms and the update of the hidden-to-output weights.
   */
  static final class Network {
    final float[] outWeights;
    final float[] outPrevious = new float[H + 1];
    final float[] hiddenDelta = new float[H];

    Network(float[] outWeights) {
      this.outWeights = outWeights.clone();
    }

    static float sigmoid(float v) {
      return (float) (1 / (1 + Math.exp(-v)));
    }

    /** One step from the hidden units' net inputs; returns the output before the update. */
    float step(float[] hiddenIn, float target) {
      float[] hidden = new float[H];
      float outIn = outWeights[H]; // bias
      for (int j = 0; j < H; j++) {
        hidden[j] = sigmoid(hiddenIn[j]);
        outIn += hidden[j] * outWeights[j];
      }
      float out = sigmoid(outIn);
      float outDelta = out * (1 - out) * (target - out);
      for (int j = 0; j < H; j++) {
        hiddenDelta[j] = hidden[j] * (1 - hidden[j]) * outWeights[j] * outDelta;
      }
      for (int j = 0; j <= H; j++) {
        float dw = ETA * outDelta * (j < H ? hidden[j] : 1f) + MOMENTUM * outPrevious[j];
        outWeights[j] += dw;
        outPrevious[j] = dw;
      }
      return out;
    }
  }

  @Override
  protected Output reference(Input in) {
    int rows = in.n() + 1;
    float[] w = in.weights().clone();
    float[] previous = new float[w.length];
    Network net = new Network(in.outWeights());
    float[] outputs = new float[in.steps()];
    for (int s = 0; s < in.steps(); s++) {
      int base = s * rows;
      double[] acc = new double[H];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < H; j++) {
          acc[j] += in.inputs()[base + i] * w[i * H + j];
        }
      }
      float[] hiddenIn = new float[H];
      for (int j = 0; j < H; j++) {
        hiddenIn[j] = (float) acc[j];
      }
      outputs[s] = net.step(hiddenIn, in.targets()[s]);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < H; j++) {
          int k = i * H + j;
          float dw = ETA * net.hiddenDelta[j] * in.inputs()[base + i] + MOMENTUM * previous[k];
          w[k] += dw;
          previous[k] = dw;
        }
      }
    }
    return new Output(w, outputs);
  }

  @Override
  protected Check verify(Input in, Output expected, Output actual) {
    return Check.floats("outputs", expected.outputs(), actual.outputs(), 1e-4, 1e-5)
        .and(Check.floats("weights", expected.weights(), actual.weights(), 1e-4, 1e-6));
  }

  @Override
  protected long checksum(Output result) {
    return new Checksum().add(result.weights()).add(result.outputs()).value();
  }
}
