package io.ava.bench.workloads;

import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * heartwall: tracks sample points on the wall of a heart through the frames of an ultrasound
 * video by template matching. Each point has a {@value #T} x {@value #T} template, cut from
 * frame 0 around it; in every later frame the point moves to the offset (dx, dy) within
 * +-{@value #R} pixels whose patch has the smallest sum of absolute differences (SAD) to the
 * template, ties going to the smaller dx^2 + dy^2, then to the first offset in row-major order
 * (dy, then dx, from -R). Offsets whose patch would leave the frame are not candidates, so a
 * point's patch always stays inside; offset 0 always is one. The template then follows the
 * tissue: {@code t = (3 t + patch + 2) >> 2} at the new position. All of it is integer
 * arithmetic, so the device result equals the plain-Java one exactly. The video is synthetic: a
 * textured ring (the wall, bright speckle between a dark blood pool and grey tissue) that beats
 * (scales by up to +-8%) and drifts, plus noise in every frame.
 *
 * <p>Per frame the host stages the frame in one of two direct buffers and writes it, non-blocking,
 * into a single device frame buffer; {@code hw_sad} (a work-item per point and offset) waits on
 * that write and fills the SAD buffer, {@code hw_best} (a work-group per point, argmin in
 * {@code __local} memory) moves the point in the position buffer, which stays on the device, and
 * appends it to the track, and {@code hw_template} blends the templates. Frame 0 only runs
 * {@code hw_template} in its "cut" mode. The in-order queue orders everything else; the host
 * waits for frame f - 2's launches before refilling that frame's staging buffer (and profiles
 * them). The track of every point after every frame is read back once at the end.
 *
 * <p>The device computes every SAD; the Java reference prunes candidates that provably cannot
 * win (exactly, see {@link #reference}), or it would be several times slower than the device.
 */
public class Heartwall extends KernelWorkload<Heartwall.Input, int[]> {

  static final int T = 16;
  static final int HALF = T / 2;
  static final int R = 12;
  static final int SPAN = 2 * R + 1;
  static final int OFFSETS = SPAN * SPAN;
  static final int SAD_GROUP = 64;
  static final int BEST_GROUP = 64;
  static final int RINGS = 4;

  /**
   * {@code frames[f]} is a side x side frame, row-major, pixels 0..255; {@code points} holds the
   * (x, y) centres of the points in frame 0 (their patch starts at x - T/2, y - T/2).
   */
  public record Input(int side, int[][] frames, int[] points) {
    int pointCount() {
      return points.length / 2;
    }
  }

  static final String SOURCE = """
      #define T 16
      #define HALF 8
      #define R 12
      #define SPAN 25
      #define OFFSETS (SPAN * SPAN)
      #define INVALID 0x7fffffff

      // One work-item per (offset, point): the SAD between the point's template and the frame
      // patch displaced by the offset, or INVALID if that patch leaves the frame.
      __kernel void hw_sad(__global const int* frame, __global const int* tmpl,
                           __global const int* pos, __global int* sad, const int side) {
          int o = get_global_id(0);
          int p = get_global_id(1);
          if (o >= OFFSETS) return;
          int x0 = pos[2 * p] - HALF + o % SPAN - R;
          int y0 = pos[2 * p + 1] - HALF + o / SPAN - R;
          if (x0 < 0 || y0 < 0 || x0 > side - T || y0 > side - T) {
              sad[p * OFFSETS + o] = INVALID;
              return;
          }
          __global const int* t = tmpl + p * T * T;
          int sum = 0;
          for (int r = 0; r < T; r++) {
              __global const int* row = frame + (y0 + r) * side + x0;
              for (int c = 0; c < T; c++) {
                  sum += abs(row[c] - t[r * T + c]);
              }
          }
          sad[p * OFFSETS + o] = sum;
      }

      // The order of candidates as one number: SAD, then dx^2 + dy^2, then the offset's index.
      long hw_key(int s, int o) {
          int dx = o % SPAN - R;
          int dy = o / SPAN - R;
          return ((long) s << 19) | ((long) (dx * dx + dy * dy) << 10) | o;
      }

      // One work-group per point: the best offset, then the point moves and joins the track.
      __kernel void hw_best(__global const int* sad, __global int* pos, __global int* track,
                            const int frameIndex, const int points, __local long* best) {
          int lid = get_local_id(0);
          int p = get_group_id(0);
          long mine = LONG_MAX;
          for (int o = lid; o < OFFSETS; o += get_local_size(0)) {
              mine = min(mine, hw_key(sad[p * OFFSETS + o], o));
          }
          best[lid] = mine;
          barrier(CLK_LOCAL_MEM_FENCE);
          for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
              if (lid < s) best[lid] = min(best[lid], best[lid + s]);
              barrier(CLK_LOCAL_MEM_FENCE);
          }
          if (lid == 0) {
              int o = (int) (best[0] & 1023);
              int x = pos[2 * p] + o % SPAN - R;
              int y = pos[2 * p + 1] + o / SPAN - R;
              pos[2 * p] = x;
              pos[2 * p + 1] = y;
              track[(frameIndex * points + p) * 2] = x;
              track[(frameIndex * points + p) * 2 + 1] = y;
          }
      }

      // One work-item per (template pixel, point): cut (keep == 0) or blend in the patch at the
      // point's current position.
      __kernel void hw_template(__global const int* frame, __global const int* pos,
                                __global int* tmpl, const int side, const int keep) {
          int i = get_global_id(0);
          int p = get_global_id(1);
          int x = pos[2 * p] - HALF + i % T;
          int y = pos[2 * p + 1] - HALF + i / T;
          int v = frame[y * side + x];
          int k = p * T * T + i;
          tmpl[k] = keep == 0 ? v : (keep * tmpl[k] + (4 - keep) * v + 2) >> 2;
      }
      """;

  public Heartwall() {
    super("heartwall",
        "heart-wall tracking by template matching, per frame a non-blocking upload and"
            + " kernels SAD + argmin/move + template blend, positions kept on the device",
        SOURCE);
  }

  /** A ring of speckle that beats and drifts over a noisy background, points on rings in it. */
  @Override
  protected Input generate(Size size, long seed) {
    int side = size.pick(160, 320);
    int frameCount = size.pick(6, 100);
    int perRing = size.pick(12, 320);
    Random random = new Random(seed);
    int cx = side / 2 + random.nextInt(9) - 4;
    int cy = side / 2 + random.nextInt(9) - 4;
    int rIn = side / 4;
    int rOut = side * 35 / 100;

    // the tissue's texture, in its own (frame 0) coordinates: a smooth field on a 4-pixel grid
    // plus fixed per-pixel speckle, which moves with the tissue and makes the SAD minimum sharp
    int grid = side / 4 + 2;
    int[] coarse = new int[grid * grid];
    for (int i = 0; i < coarse.length; i++) {
      coarse[i] = random.nextInt(256);
    }
    int[] texture = new int[side * side];
    for (int v = 0; v < side; v++) {
      for (int u = 0; u < side; u++) {
        int gx = u >> 2;
        int gy = v >> 2;
        int fx = u & 3;
        int fy = v & 3;
        int top = coarse[gy * grid + gx] * (4 - fx) + coarse[gy * grid + gx + 1] * fx;
        int bottom =
            coarse[(gy + 1) * grid + gx] * (4 - fx) + coarse[(gy + 1) * grid + gx + 1] * fx;
        int smooth = (top * (4 - fy) + bottom * fy) >> 4;
        texture[v * side + u] = (3 * smooth + random.nextInt(256)) >> 2;
      }
    }

    int[][] frames = new int[frameCount][side * side];
    int rIn2 = rIn * rIn;
    int rOut2 = rOut * rOut;
    for (int f = 0; f < frameCount; f++) {
      // StrictMath: the same frames on every JVM; frame 0 is the identity (scale 1024/1024)
      int scale = 1024 + (int) Math.round(80 * StrictMath.sin(2 * Math.PI * f / 20));
      int sx = (int) Math.round(3 * StrictMath.sin(2 * Math.PI * f / 37));
      int sy = (int) Math.round(2 * StrictMath.sin(2 * Math.PI * f / 29));
      int[] frame = frames[f];
      for (int y = 0; y < side; y++) {
        int dv = (y - cy - sy) * 1024 / scale;
        int v = Math.max(0, Math.min(side - 1, cy + dv));
        for (int x = 0; x < side; x++) {
          int du = (x - cx - sx) * 1024 / scale;
          int u = Math.max(0, Math.min(side - 1, cx + du));
          int r2 = du * du + dv * dv;
          int t = texture[v * side + u];
          int base = r2 < rIn2 ? 20 + (t >> 3) : r2 <= rOut2 ? 90 + (t >> 1) : 40 + (t >> 2);
          frame[y * side + x] = Math.max(0, Math.min(255, base + random.nextInt(17) - 8));
        }
      }
    }

    // points on rings across the wall, from its inner to its outer edge (where the contrast is)
    int[] points = new int[2 * RINGS * perRing];
    double phase = random.nextDouble() * 2 * Math.PI;
    for (int ring = 0; ring < RINGS; ring++) {
      int radius = rIn + (rOut - rIn) * ring / (RINGS - 1);
      for (int i = 0; i < perRing; i++) {
        double angle = phase + 2 * Math.PI * (i + (double) ring / RINGS) / perRing;
        int k = ring * perRing + i;
        points[2 * k] = cx + (int) Math.round(radius * StrictMath.cos(angle));
        points[2 * k + 1] = cy + (int) Math.round(radius * StrictMath.sin(angle));
      }
    }
    return new Input(side, frames, points);
  }

  @Override
  protected String describe(Input in) {
    return String.format(Locale.ROOT,
        "%d frames of %d x %d, %d points, %dx%d templates, search +-%d", in.frames().length,
        in.side(), in.side(), in.pointCount(), T, T, R);
  }

  @Override
  protected int[] compute(ClSession cl, Input in) {
    int side = in.side();
    int points = in.pointCount();
    int frames = in.frames().length;
    cl_mem frame = cl.buffer(CL_MEM_READ_ONLY, (long) side * side * Sizeof.cl_int);
    cl_mem pos = cl.buffer(CL_MEM_READ_WRITE, in.points());
    cl_mem tmpl = cl.buffer(CL_MEM_READ_WRITE, (long) points * T * T * Sizeof.cl_int);
    cl_mem sad = cl.buffer(CL_MEM_READ_WRITE, (long) points * OFFSETS * Sizeof.cl_int);
    int[] result = new int[(frames - 1) * points * 2];
    cl_mem track = cl.buffer(CL_MEM_WRITE_ONLY, (long) result.length * Sizeof.cl_int);
    cl_kernel sadK = cl.kernel("hw_sad");
    cl_kernel bestK = cl.kernel("hw_best");
    cl_kernel templateK = cl.kernel("hw_template");
    cl.args(sadK, frame, tmpl, pos, sad, side);
    cl.args(bestK, sad, pos, track, 0, points,
        new ClSession.Local((long) BEST_GROUP * Sizeof.cl_long));
    cl.args(templateK, frame, pos, tmpl, side, 0);
    long[] sadGlobal = {ClSession.roundUp(OFFSETS, SAD_GROUP), points};
    long[] sadLocal = {SAD_GROUP, 1};
    long[] bestGlobal = {(long) points * BEST_GROUP};
    long[] bestLocal = {BEST_GROUP};
    long[] templateGlobal = {T * T, points};
    long[] templateLocal = {T * T, 1};

    // two staging buffers in turn, so the host fills frame f while the device works on f - 1;
    // before refilling one, the host drains frame f - 2, whose launches waited on its write
    ByteBuffer[] staging = {DirectBuffers.allocate(side * side),
        DirectBuffers.allocate(side * side)};
    cl_event[][] pending = new cl_event[frames][];
    for (int f = 0; f < frames; f++) {
      if (f >= 2) {
        drain(cl, pending, f - 2);
      }
      ByteBuffer stage = staging[f % 2];
      stage.asIntBuffer().put(in.frames()[f]);
      cl_event written = cl.writeAsync(frame, stage);
      if (f == 0) {
        cl_event cut = cl.launch(templateK, null, templateGlobal, templateLocal, written);
        cl.arg(templateK, 4, 3); // every later frame blends
        pending[f] = new cl_event[] {written, cut};
        continue;
      }
      cl.arg(bestK, 3, f - 1);
      cl_event sads = cl.launch(sadK, null, sadGlobal, sadLocal, written);
      cl_event moved = cl.launch(bestK, null, bestGlobal, bestLocal);
      cl_event blended = cl.launch(templateK, null, templateGlobal, templateLocal);
      pending[f] = new cl_event[] {written, sads, moved, blended};
    }
    cl.read(track, result);
    for (int f = Math.max(0, frames - 2); f < frames; f++) {
      drain(cl, pending, f);
    }
    return result;
  }

  /** Profiles frame f's launches (which also means its write is done) and releases its events. */
  private static void drain(ClSession cl, cl_event[][] pending, int f) {
    cl_event[] events = pending[f];
    cl_event[] launches = new cl_event[events.length - 1];
    System.arraycopy(events, 1, launches, 0, launches.length);
    cl.profile(launches);
    cl.release(events);
    pending[f] = null;
  }

  @Override
  protected int[] reference(Input in) {
    int side = in.side();
    int points = in.pointCount();
    int frames = in.frames().length;
    int[] pos = in.points().clone();
    int[] tmpl = new int[points * T * T];
    int[] track = new int[(frames - 1) * points * 2];
    int[] frame0 = in.frames()[0];
    for (int p = 0; p < points; p++) {
      for (int i = 0; i < T * T; i++) {
        tmpl[p * T * T + i] = frame0[(pos[2 * p + 1] - HALF + i / T) * side
            + pos[2 * p] - HALF + i % T];
      }
    }
    int[] order = searchOrder();
    int[] rowSums = new int[side * (side + 1)];
    int[] tmplRows = new int[T];
    int[] bound = new int[T + 1];
    for (int f = 1; f < frames; f++) {
      int[] frame = in.frames()[f];
      // prefix sums along each row: the sum of any T pixels of a row in one subtraction
      for (int y = 0; y < side; y++) {
        int acc = 0;
        for (int x = 0; x < side; x++) {
          acc += frame[y * side + x];
          rowSums[y * (side + 1) + x + 1] = acc;
        }
      }
      for (int p = 0; p < points; p++) {
        for (int r = 0; r < T; r++) {
          int sum = 0;
          for (int c = 0; c < T; c++) {
            sum += tmpl[(p * T + r) * T + c];
          }
          tmplRows[r] = sum;
        }
        // Exact pruning, so that the reference keeps up with a device that computes every SAD:
        // offsets go in tie-break order, so the first with the smallest SAD wins, and one is
        // dropped once it cannot beat the best so far: its partial SAD plus a lower bound of
        // the rest (sum over the remaining rows of |patch row sum - template row sum|) >= best.
        int bestSad = Integer.MAX_VALUE;
        int bestO = -1;
        for (int o : order) {
          int x0 = pos[2 * p] - HALF + o % SPAN - R;
          int y0 = pos[2 * p + 1] - HALF + o / SPAN - R;
          if (x0 < 0 || y0 < 0 || x0 > side - T || y0 > side - T) {
            continue; // offset 0 always fits, so some offset does
          }
          for (int r = T - 1; r >= 0; r--) {
            int at = (y0 + r) * (side + 1) + x0;
            bound[r] = bound[r + 1] + Math.abs(rowSums[at + T] - rowSums[at] - tmplRows[r]);
          }
          int sum = 0;
          int r = 0;
          for (; r < T && sum + bound[r] < bestSad; r++) {
            int row = (y0 + r) * side + x0;
            int t = (p * T + r) * T;
            for (int c = 0; c < T; c++) {
              sum += Math.abs(frame[row + c] - tmpl[t + c]);
            }
          }
          if (r == T && sum < bestSad) {
            bestSad = sum;
            bestO = o;
          }
        }
        pos[2 * p] += bestO % SPAN - R;
        pos[2 * p + 1] += bestO / SPAN - R;
        track[((f - 1) * points + p) * 2] = pos[2 * p];
        track[((f - 1) * points + p) * 2 + 1] = pos[2 * p + 1];
        for (int i = 0; i < T * T; i++) {
          int v = frame[(pos[2 * p + 1] - HALF + i / T) * side + pos[2 * p] - HALF + i % T];
          int k = p * T * T + i;
          tmpl[k] = (3 * tmpl[k] + v + 2) >> 2;
        }
      }
    }
    return track;
  }

  /** The offsets' indices in the order {@code hw_key} ranks equal SADs: dx^2 + dy^2, index. */
  static int[] searchOrder() {
    return IntStream.range(0, OFFSETS).boxed()
        .sorted(Comparator.<Integer>comparingInt(o -> {
          int dx = o % SPAN - R;
          int dy = o / SPAN - R;
          return dx * dx + dy * dy;
        }).thenComparingInt(o -> o))
        .mapToInt(Integer::intValue).toArray();
  }

  @Override
  protected Check verify(Input in, int[] expected, int[] actual) {
    return Check.ints("point track", expected, actual);
  }

  @Override
  protected long checksum(int[] result) {
    return new Checksum().add(result).value();
  }
}
