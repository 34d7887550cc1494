package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * CL_PROGRAM_BINARY_SIZES / CL_PROGRAM_BINARIES round trip into clCreateProgramWithBinary with binary_status, the
 * rebuilt program run; a corrupt binary; clCreateProgramWithBuiltInKernels; clUnloadPlatformCompiler and
 * clUnloadCompiler (and a build afterwards).
 */
public class ProgramBinaries {

    static final String SOURCE = "__kernel void cube(__global int* a) { int i = get_global_id(0); a[i] = a[i] * a[i] * a[i]; }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_device_id[] devs = {c.device};
        cl_program src = c.build(SOURCE);

        // 1. binaries out
        long[] sizes = new long[1];
        clGetProgramInfo(src, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes), null);
        check("binary size > 0", sizes[0] > 0);
        byte[] binary = new byte[(int) sizes[0]];
        clGetProgramInfo(src, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(new Pointer[] {Pointer.to(binary)}), null);
        boolean nonZero = false;
        for (byte b : binary) {
            nonZero |= b != 0;
        }
        check("binary has content", nonZero);

        // 2. binaries in
        int[] status = new int[1];
        int[] err = new int[1];
        cl_program fromBin = clCreateProgramWithBinary(c.ctx, 1, devs, new long[] {binary.length}, new byte[][] {binary}, status, err);
        expectError("binary_status", CL_SUCCESS, status[0]);
        expectError("errcode_ret", CL_SUCCESS, err[0]);
        clBuildProgram(fromBin, 1, devs, null, null, null);
        int[] bt = new int[1];
        clGetProgramBuildInfo(fromBin, c.device, CL_PROGRAM_BINARY_TYPE, Sizeof.cl_int, Pointer.to(bt), null);
        out("binary type of the program built from the binary: " + bt[0]);
        out("kernel names from the binary: " + programString(fromBin, CL_PROGRAM_KERNEL_NAMES));
        cl_kernel cube = clCreateKernel(fromBin, "cube", null);
        cl_mem buf = c.ints(1, 2, 3, -4);
        clSetKernelArg(cube, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, cube, 1, null, new long[] {4}, null, 0, null, null);
        int[] r = c.read(buf, 4);
        out("kernel from the binary: " + Arrays.toString(r));
        check("kernel from the binary", r[3] == -64);
        long[] sizes2 = new long[1];
        clGetProgramInfo(fromBin, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes2), null);
        out("binary size of the rebuilt program > 0: " + (sizes2[0] > 0));

        // 3. a corrupt binary
        byte[] junk = new byte[64];
        Arrays.fill(junk, (byte) 0x5a);
        exceptions(false);
        status[0] = 12345;
        cl_program bad = clCreateProgramWithBinary(c.ctx, 1, devs, new long[] {junk.length}, new byte[][] {junk}, status, err);
        out("corrupt binary: errcode " + stringFor_errorCode(err[0]) + ", binary_status " + stringFor_errorCode(status[0]) + ", program returned "
            + (bad != null));
        if (bad != null) {
            clReleaseProgram(bad);
        }
        exceptions(true);
        out("corrupt binary (exceptions on): " + thrown(() -> clReleaseProgram(clCreateProgramWithBinary(c.ctx, 1, devs,
            new long[] {junk.length}, new byte[][] {junk}, null, null))));
        out("binary length 0 (exceptions on): " + thrown(() -> clCreateProgramWithBinary(c.ctx, 1, devs, new long[] {0},
            new byte[][] {new byte[0]}, null, null)));

        // 4. built-in kernels
        String builtIns = deviceString(c.device, CL_DEVICE_BUILT_IN_KERNELS);
        out("CL_DEVICE_BUILT_IN_KERNELS: '" + builtIns + "'");
        exceptions(false);
        cl_program bi = clCreateProgramWithBuiltInKernels(c.ctx, 1, devs, "no_such_kernel", err);
        out("clCreateProgramWithBuiltInKernels(no_such_kernel): " + stringFor_errorCode(err[0]));
        if (bi != null) {
            clReleaseProgram(bi);
        }
        if (!builtIns.isEmpty()) {
            String first = builtIns.split(";")[0];
            cl_program bk = clCreateProgramWithBuiltInKernels(c.ctx, 1, devs, first, err);
            out("clCreateProgramWithBuiltInKernels(first listed): " + stringFor_errorCode(err[0]));
            if (bk != null && err[0] == CL_SUCCESS) {
                int brc = clBuildProgram(bk, 1, devs, null, null, null);
                out("  build: " + stringFor_errorCode(brc));
                // (CL_PROGRAM_KERNEL_NAMES is not queried: PoCL 3.1 returns a garbage size for this program)
                cl_kernel k = clCreateKernel(bk, first, err);
                out("  clCreateKernel: " + stringFor_errorCode(err[0]));
                if (k != null && err[0] == CL_SUCCESS) {
                    out("  its CL_KERNEL_NUM_ARGS: " + kernelInt(k, CL_KERNEL_NUM_ARGS));
                    clReleaseKernel(k);
                }
                clReleaseProgram(bk);
            }
        }
        exceptions(true);
        out("clCreateProgramWithBuiltInKernels (exceptions on): " + thrown(() -> clCreateProgramWithBuiltInKernels(c.ctx, 1, devs,
            "no_such_kernel", null)));

        // 5. unloading the compiler, then building again
        expectError("clUnloadPlatformCompiler", CL_SUCCESS, clUnloadPlatformCompiler(c.platform));
        expectError("clUnloadCompiler", CL_SUCCESS, clUnloadCompiler());
        out("clUnloadPlatformCompiler(null platform) (exceptions on): " + thrown(() -> clUnloadPlatformCompiler(new org.jocl.cl_platform_id())));
        cl_program after = c.build(SOURCE.replace("cube", "cube2"));
        out("build after unloading the compiler: " + programString(after, CL_PROGRAM_KERNEL_NAMES));

        clReleaseKernel(cube);
        clReleaseMemObject(buf);
        for (cl_program p : new cl_program[] {src, fromBin, after}) {
            clReleaseProgram(p);
        }
        c.close();
        finish("ProgramBinaries");
    }
}
