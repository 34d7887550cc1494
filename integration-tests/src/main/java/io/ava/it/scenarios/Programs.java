package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/** Programs: source, build, build info, binaries round trip, and failing builds with exceptions on and off. */
public class Programs {

    static final String SOURCE = ""
        + "__kernel void square(__global const float* in, __global float* out) {\n"
        + "    int i = get_global_id(0);\n"
        + "    out[i] = in[i] * in[i];\n"
        + "}\n"
        + "__kernel void negate(__global float* a) {\n"
        + "    int i = get_global_id(0);\n"
        + "    a[i] = -a[i];\n"
        + "}\n";

    static final String BROKEN = ""
        + "__kernel void broken(__global float* a) {\n"
        + "    a[get_global_id(0)] = undefined_symbol * 2.0f;\n"
        + "}\n";

    static cl_context ctx;
    static cl_device_id device;
    static cl_command_queue queue;

    static int buildStatus(cl_program program) {
        int[] status = new int[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_STATUS, Sizeof.cl_int, Pointer.to(status), null);
        return status[0];
    }

    static String buildLog(cl_program program) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return cString(log);
    }

    static float[] runSquare(cl_program program, float[] in) {
        cl_kernel k = clCreateKernel(program, "square", null);
        long bytes = (long) Sizeof.cl_float * in.length;
        cl_mem a = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(in), null);
        cl_mem b = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, bytes, null, null);
        clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(a));
        clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(b));
        clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {in.length}, null, 0, null, null);
        float[] out = new float[in.length];
        clEnqueueReadBuffer(queue, b, CL_TRUE, 0, bytes, Pointer.to(out), 0, null, null);
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseKernel(k);
        return out;
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        float[] input = {1, 2, 3, 4, 5, 6, 7, 8};

        // 1. from source: before and after the build
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        expect("build status before build", "CL_BUILD_NONE", stringFor_cl_build_status(buildStatus(program)));
        String source = programString(program, CL_PROGRAM_SOURCE);
        check("CL_PROGRAM_SOURCE equals the source", SOURCE.trim().equals(source));
        clBuildProgram(program, 1, new cl_device_id[] {device}, "-cl-std=CL1.2", null, null);
        expect("build status", "CL_BUILD_SUCCESS", stringFor_cl_build_status(buildStatus(program)));
        out("build log is non-null: " + (buildLog(program) != null));
        int[] numKernels = new int[1];
        clGetProgramInfo(program, CL_PROGRAM_NUM_KERNELS, Sizeof.size_t, Pointer.to(numKernels), null);
        expect("CL_PROGRAM_NUM_KERNELS", 2, numKernels[0]);
        String names = programString(program, CL_PROGRAM_KERNEL_NAMES);
        String[] sorted = names.split(";");
        Arrays.sort(sorted);
        out("CL_PROGRAM_KERNEL_NAMES (sorted): " + String.join(";", sorted));
        int[] numDevices = new int[1];
        clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, Sizeof.cl_uint, Pointer.to(numDevices), null);
        expect("CL_PROGRAM_NUM_DEVICES", 1, numDevices[0]);
        cl_context pctx = new cl_context();
        clGetProgramInfo(program, CL_PROGRAM_CONTEXT, Sizeof.cl_context, Pointer.to(pctx), null);
        check("CL_PROGRAM_CONTEXT equals context", ctx.equals(pctx));
        cl_device_id[] pdev = new cl_device_id[1];
        clGetProgramInfo(program, CL_PROGRAM_DEVICES, Sizeof.cl_device_id, Pointer.to(pdev), null);
        check("CL_PROGRAM_DEVICES[0] equals device", device.equals(pdev[0]));
        float[] squares = runSquare(program, input);
        out("square from source: " + Arrays.toString(squares));
        check("square from source", squares[7] == 64f);

        // 2. binaries round trip
        long[] binarySizes = new long[1];
        clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(binarySizes), null);
        check("binary size > 0", binarySizes[0] > 0);
        byte[] binary = new byte[(int) binarySizes[0]];
        Pointer binaryPointer = Pointer.to(binary);
        clGetProgramInfo(program, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(binaryPointer), null);
        boolean nonZero = false;
        for (byte b : binary) {
            nonZero |= b != 0;
        }
        check("binary was filled", nonZero);
        int[] binaryStatus = new int[1];
        cl_program fromBinary = clCreateProgramWithBinary(ctx, 1, new cl_device_id[] {device}, binarySizes, new byte[][] {binary},
            binaryStatus, null);
        expectError("binary status", CL_SUCCESS, binaryStatus[0]);
        clBuildProgram(fromBinary, 0, null, null, null, null);
        expect("binary program build status", "CL_BUILD_SUCCESS", stringFor_cl_build_status(buildStatus(fromBinary)));
        int[] binaryType = new int[1];
        clGetProgramBuildInfo(fromBinary, device, CL_PROGRAM_BINARY_TYPE, Sizeof.cl_uint, Pointer.to(binaryType), null);
        out("binary program CL_PROGRAM_BINARY_TYPE: " + binaryType[0]);
        float[] squares2 = runSquare(fromBinary, input);
        out("square from binary: " + Arrays.toString(squares2));
        check("square from binary equals square from source", Arrays.equals(squares, squares2));

        // 3. a program with options (a define) and several source strings
        cl_program defined = clCreateProgramWithSource(ctx, 2, new String[] {
            "#define TWICE(x) ((x) * FACTOR)\n",
            "__kernel void twice(__global float* a) { int i = get_global_id(0); a[i] = TWICE(a[i]); }\n"}, null, null);
        clBuildProgram(defined, 1, new cl_device_id[] {device}, "-DFACTOR=3.0f", null, null);
        cl_kernel twice = clCreateKernel(defined, "twice", null);
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, Sizeof.cl_float * 8L, Pointer.to(input), null);
        clSetKernelArg(twice, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(queue, twice, 1, null, new long[] {8}, null, 0, null, null);
        float[] tripled = new float[8];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, Sizeof.cl_float * 8L, Pointer.to(tripled), 0, null, null);
        out("with -DFACTOR=3.0f: " + Arrays.toString(tripled));
        check("define from build options", tripled[2] == 9f);
        String opts;
        long[] size = new long[1];
        clGetProgramBuildInfo(defined, device, CL_PROGRAM_BUILD_OPTIONS, 0, null, size);
        byte[] optBytes = new byte[(int) size[0]];
        clGetProgramBuildInfo(defined, device, CL_PROGRAM_BUILD_OPTIONS, optBytes.length, Pointer.to(optBytes), null);
        opts = cString(optBytes);
        out("CL_PROGRAM_BUILD_OPTIONS: " + opts);

        // 4. a program that fails to compile, exceptions on: JOCL puts the build log into the message
        cl_program broken = clCreateProgramWithSource(ctx, 1, new String[] {BROKEN}, null, null);
        try {
            clBuildProgram(broken, 1, new cl_device_id[] {device}, null, null, null);
            fail("broken program built");
        } catch (CLException e) {
            out("broken build (exceptions on) status: " + stringFor_errorCode(e.getStatus()));
            out("broken build (exceptions on) message first line: " + firstLine(e.getMessage()));
            out("broken build (exceptions on) message mentions error: " + e.getMessage().toLowerCase().contains("error"));
            out("broken build (exceptions on) message mentions the symbol: " + e.getMessage().contains("undefined_symbol"));
        }
        expect("broken build status", "CL_BUILD_ERROR", stringFor_cl_build_status(buildStatus(broken)));
        String log = buildLog(broken);
        out("broken build log non-null: " + (log != null));
        out("broken build log mentions the symbol: " + log.contains("undefined_symbol"));
        out("create kernel from broken program (exceptions on): " + thrown(() -> clCreateKernel(broken, "broken", null)));

        // exceptions off: the error code
        exceptions(false);
        cl_program broken2 = clCreateProgramWithSource(ctx, 1, new String[] {BROKEN}, null, null);
        int rc = clBuildProgram(broken2, 1, new cl_device_id[] {device}, null, null, null);
        out("broken build (exceptions off): " + stringFor_errorCode(rc));
        check("broken build returns CL_BUILD_PROGRAM_FAILURE", rc == CL_BUILD_PROGRAM_FAILURE);
        int[] err = new int[1];
        clCreateKernel(broken2, "broken", err);
        out("create kernel from broken program (exceptions off): " + stringFor_errorCode(err[0]));
        rc = clBuildProgram(program, 1, new cl_device_id[] {device}, "-this-is-not-an-option", null, null);
        out("build with an invalid option (exceptions off): " + stringFor_errorCode(rc));
        exceptions(true);
        out("build with an invalid option (exceptions on): "
            + thrown(() -> clBuildProgram(broken, 1, new cl_device_id[] {device}, "-this-is-not-an-option", null, null)));

        // 5. reference counts and release
        int[] refs = new int[1];
        clGetProgramInfo(program, CL_PROGRAM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        expect("program reference count", 1, refs[0]);
        clRetainProgram(program);
        clGetProgramInfo(program, CL_PROGRAM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        expect("program reference count after retain", 2, refs[0]);
        clReleaseProgram(program);
        for (cl_program p : new cl_program[] {program, fromBinary, defined, broken, broken2}) {
            clReleaseProgram(p);
        }
        clReleaseKernel(twice);
        clReleaseMemObject(buf);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("Programs");
    }
}
