package io.ava.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jocl.CL;

/** The tests here run the kernels natively: they need a real OpenCL platform (PoCL will do). */
final class OpenClAvailable {
  private OpenClAvailable() {}

  static void require() {
    boolean ok;
    try {
      int[] n = new int[1];
      CL.clGetPlatformIDs(0, null, n);
      ok = n[0] > 0;
    } catch (Throwable t) {
      ok = false;
    }
    assertTrue(ok,
        "no OpenCL platform: install pocl-opencl-icd and ocl-icd-opencl-dev (./test.sh does)");
  }
}
