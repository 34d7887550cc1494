package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * lavaMD: potential and forces on charged particles in a 3-D grid of boxes, each particle
 * interacting with every particle of its own box and the 26 around it through
 * {@code v = exp(-a2 r^2)} (potential {@code q v}, force {@code 2 q v (rA - rB)}).
 *
 * <p>One kernel, {@code lavamd_forces}: a work-group per box, one work-item per particle; the
 * home box and then each neighbour box are staged in {@code __local} memory. The boxes are
 * launched in {@value #SLICES} slices with a global work offset, each returning an event that is
 * profiled; the result is read with one non-blocking read whose wait list holds every slice's
 * event.
 */
public class LavaMd extends KernelWorkload<LavaMd.Input, float[]> {

  static final int PER_BOX = 64;
  static final int SLICES = 4;
  static final float A2 = 0.5f;

  /**
   * {@code positions}: (x, y, z, 0) per particle, box by box (box index (z*d + y)*d + x, d boxes
   * a side, {@value #PER_BOX} particles each, each inside its unit box); {@code charges}.
   */
  public record Input(int boxesPerSide, float[] positions, float[] charges) {
    int boxes() {
      return boxesPerSide * boxesPerSide * boxesPerSide;
    }
  }

  static final String SOURCE = """
      #define PER_BOX 64

      __kernel void lavamd_forces(__global const float4* pos, __global const float* charge,
                                  __global float4* force, const int side, const float a2) {
          __local float4 near[PER_BOX];
          __local float nearQ[PER_BOX];
          int t = get_local_id(0);
          int box = get_global_id(0) / PER_BOX;   // global ids include the launch's offset
          int bx = box % side;
          int by = (box / side) % side;
          int bz = box / (side * side);
          float4 me = pos[box * PER_BOX + t];
          float4 acc = (float4)(0.0f);   // (potential, fx, fy, fz)
          for (int dz = -1; dz <= 1; dz++) {
              for (int dy = -1; dy <= 1; dy++) {
                  for (int dx = -1; dx <= 1; dx++) {
                      int nx = bx + dx, ny = by + dy, nz = bz + dz;
                      // the same for the whole group, so the barriers below stay uniform
                      if (nx < 0 || ny < 0 || nz < 0 || nx >= side || ny >= side || nz >= side) {
                          continue;
                      }
                      int other = (nz * side + ny) * side + nx;
                      barrier(CLK_LOCAL_MEM_FENCE);
                      near[t] = pos[other * PER_BOX + t];
                      nearQ[t] = charge[other * PER_BOX + t];
                      barrier(CLK_LOCAL_MEM_FENCE);
                      for (int j = 0; j < PER_BOX; j++) {
                          float4 d = me - near[j];
                          float r2 = d.x * d.x + d.y * d.y + d.z * d.z;
                          float v = exp(-a2 * r2);
                          float fs = 2.0f * v * nearQ[j];
                          acc.x += nearQ[j] * v;
                          acc.y += fs * d.x;
                          acc.z += fs * d.y;
                          acc.w += fs * d.z;
                      }
                  }
              }
          }
          force[box * PER_BOX + t] = acc;
      }
      """;

  public LavaMd() {
    super("lavaMD",
        "particle interactions with the 26 neighbour boxes, one kernel in 4 offset slices,"
            + " profiled events as the wait list of one non-blocking read",
        SOURCE);
  }

  @Override
  protected Input generate(Size size, long seed) {
    int side = size.pick(3, 18);
    Random random = new Random(seed);
    int boxes = side * side * side;
    float[] pos = new float[boxes * PER_BOX * 4];
    float[] charges = new float[boxes * PER_BOX];
    for (int box = 0; box < boxes; box++) {
      int bx = box % side;
      int by = (box / side) % side;
      int bz = box / (side * side);
      for (int p = 0; p < PER_BOX; p++) {
        int i = box * PER_BOX + p;
        pos[4 * i] = bx + random.nextFloat();
        pos[4 * i + 1] = by + random.nextFloat();
        pos[4 * i + 2] = bz + random.nextFloat();
        charges[i] = random.nextFloat() * 2f - 1f;
      }
    }
    return new Input(side, pos, charges);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT, "%d^3 boxes of %d particles", in.boxesPerSide(), PER_BOX);
  }

  @Override
  protected float[] compute(ClSession cl, Input in) {
    int boxes = in.boxes();
    cl_mem pos = cl.buffer(CL_MEM_READ_ONLY, in.positions());
    cl_mem charges = cl.buffer(CL_MEM_READ_ONLY, in.charges());
    cl_mem force = cl.buffer(CL_MEM_WRITE_ONLY, (long) boxes * PER_BOX * 4 * Sizeof.cl_float);
    cl_kernel k = cl.kernel("lavamd_forces");
    cl.args(k, pos, charges, force, in.boxesPerSide(), A2);
    cl_event[] slices = new cl_event[SLICES];
    int launched = 0;
    for (int s = 0; s < SLICES; s++) {
      int from = (int) ((long) boxes * s / SLICES);
      int to = (int) ((long) boxes * (s + 1) / SLICES);
      if (to > from) {
        slices[launched++] = cl.launch(k, new long[] {(long) from * PER_BOX},
            new long[] {(long) (to - from) * PER_BOX}, new long[] {PER_BOX});
      }
    }
    cl_event[] launches = Arrays.copyOf(slices, launched);
    ByteBuffer host = DirectBuffers.allocate(boxes * PER_BOX * 4);
    cl.await(cl.readAsync(force, host, launches));
    cl.profile(launches);
    return DirectBuffers.floats(host);
  }

  @Override
  protected float[] reference(Input in) {
    int side = in.boxesPerSide();
    float[] p = in.positions();
    float[] q = in.charges();
    float[] out = new float[in.boxes() * PER_BOX * 4];
    for (int box = 0; box < in.boxes(); box++) {
      int bx = box % side;
      int by = (box / side) % side;
      int bz = box / (side * side);
      for (int t = 0; t < PER_BOX; t++) {
        int me = box * PER_BOX + t;
        float[] acc = new float[4];
        for (int dz = -1; dz <= 1; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int nx = bx + dx;
              int ny = by + dy;
              int nz = bz + dz;
              if (nx < 0 || ny < 0 || nz < 0 || nx >= side || ny >= side || nz >= side) {
                continue;
              }
              int other = (nz * side + ny) * side + nx;
              for (int j = 0; j < PER_BOX; j++) {
                int o = other * PER_BOX + j;
                float ddx = p[4 * me] - p[4 * o];
                float ddy = p[4 * me + 1] - p[4 * o + 1];
                float ddz = p[4 * me + 2] - p[4 * o + 2];
                float r2 = ddx * ddx + ddy * ddy + ddz * ddz;
                float v = (float) Math.exp(-A2 * r2);
                float fs = 2.0f * v * q[o];
                acc[0] += q[o] * v;
                acc[1] += fs * ddx;
                acc[2] += fs * ddy;
                acc[3] += fs * ddz;
              }
            }
          }
        }
        System.arraycopy(acc, 0, out, 4 * me, 4);
      }
    }
    return out;
  }

  /**
   * Sums of up to 27 x 64 terms of both signs: the tolerance is absolute, scaled to the size of
   * one term (at most 2), plus a relative part for the larger sums.
   */
  @Override
  protected Check verify(Input in, float[] expected, float[] actual) {
    return Check.floats("potential and forces", expected, actual, 1e-4, 2e-4);
  }

  @Override
  protected long checksum(float[] result) {
    return new Checksum().add(result).value();
  }
}
