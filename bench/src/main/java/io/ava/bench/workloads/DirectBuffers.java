package io.ava.bench.workloads;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct, native-order host buffers for non-blocking transfers (JOCL refuses Java arrays there,
 * since the garbage collector may move an array while the device still writes into it).
 */
public final class DirectBuffers {
  private DirectBuffers() {}

  public static ByteBuffer allocate(int values) {
    return ByteBuffer.allocateDirect(values * 4).order(ByteOrder.nativeOrder());
  }

  public static ByteBuffer of(float[] data) {
    ByteBuffer b = allocate(data.length);
    b.asFloatBuffer().put(data);
    return b;
  }

  public static ByteBuffer of(int[] data) {
    ByteBuffer b = allocate(data.length);
    b.asIntBuffer().put(data);
    return b;
  }

  public static float[] floats(ByteBuffer b) {
    float[] out = new float[b.capacity() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  public static int[] ints(ByteBuffer b) {
    int[] out = new int[b.capacity() / 4];
    b.asIntBuffer().get(out);
    return out;
  }
}
