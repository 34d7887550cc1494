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
 * clCompileProgram with an embedded header (input_headers + header_include_names), clLinkProgram of two compiled
 * programs, the linked kernel run; program info (binary type, kernel names); link and compile errors.
 */
public class CompileAndLink {

    static final String HEADER = "#define SCALE 3\nint helper(int x);\n";
    static final String MAIN = ""
        + "#include \"my/helper.h\"\n"
        + "__kernel void run(__global int* a) { int i = get_global_id(0); a[i] = helper(a[i]) * SCALE; }\n";
    static final String LIB = ""
        + "#include \"my/helper.h\"\n"
        + "int helper(int x) { return x + SCALE * 100; }\n";

    static int buildInt(cl_program p, cl_device_id d, int param) {
        int[] v = new int[1];
        clGetProgramBuildInfo(p, d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_device_id[] devs = {c.device};
        cl_program header = clCreateProgramWithSource(c.ctx, 1, new String[] {HEADER}, null, null);
        cl_program main = clCreateProgramWithSource(c.ctx, 1, new String[] {MAIN}, null, null);
        cl_program lib = clCreateProgramWithSource(c.ctx, 1, new String[] {LIB}, null, null);

        // 1. compile both with the embedded header
        clCompileProgram(main, 1, devs, null, 1, new cl_program[] {header}, new String[] {"my/helper.h"}, null, null);
        clCompileProgram(lib, 1, devs, "-DUNUSED=1", 1, new cl_program[] {header}, new String[] {"my/helper.h"}, null, null);
        expect("main compile status", "CL_BUILD_SUCCESS", stringFor_cl_build_status(buildInt(main, c.device, CL_PROGRAM_BUILD_STATUS)));
        out("main binary type after compile: " + binaryType(buildInt(main, c.device, CL_PROGRAM_BINARY_TYPE)));
        out("lib compile options: " + buildString(lib, c.device, CL_PROGRAM_BUILD_OPTIONS));

        // 2. link them and run
        cl_program linked = clLinkProgram(c.ctx, 1, devs, null, 2, new cl_program[] {main, lib}, null, null, null);
        expect("linked build status", "CL_BUILD_SUCCESS", stringFor_cl_build_status(buildInt(linked, c.device, CL_PROGRAM_BUILD_STATUS)));
        out("linked binary type: " + binaryType(buildInt(linked, c.device, CL_PROGRAM_BINARY_TYPE)));
        out("linked kernel names: " + programString(linked, CL_PROGRAM_KERNEL_NAMES));
        cl_kernel run = clCreateKernel(linked, "run", null);
        cl_mem buf = c.ints(1, 2, 3, 4);
        clSetKernelArg(run, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, run, 1, null, new long[] {4}, null, 0, null, null);
        int[] r = c.read(buf, 4);
        out("linked kernel result: " + Arrays.toString(r));
        check("linked kernel result", r[0] == 903 && r[3] == 912);

        // 3. a library link (-create-library), then linked into an executable with main
        cl_program library = clLinkProgram(c.ctx, 1, devs, "-create-library", 1, new cl_program[] {lib}, null, null, null);
        out("library binary type: " + binaryType(buildInt(library, c.device, CL_PROGRAM_BINARY_TYPE)));
        cl_program linked2 = clLinkProgram(c.ctx, 1, devs, null, 2, new cl_program[] {main, library}, null, null, null);
        cl_kernel run2 = clCreateKernel(linked2, "run", null);
        clSetKernelArg(run2, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, run2, 1, null, new long[] {4}, null, 0, null, null);
        out("kernel linked against the library: " + Arrays.toString(c.read(buf, 4)));

        // 4. errors: link main alone (helper undefined), compile without the header, link an uncompiled program
        exceptions(false);
        int[] err = new int[1];
        cl_program bad = clLinkProgram(c.ctx, 1, devs, null, 1, new cl_program[] {main}, null, null, err);
        out("link with an undefined function (exceptions off): " + stringFor_errorCode(err[0]) + ", program returned " + (bad != null));
        if (bad != null) {
            out("  its build status: " + stringFor_cl_build_status(buildInt(bad, c.device, CL_PROGRAM_BUILD_STATUS)));
            clReleaseProgram(bad);
        }
        cl_program noHeader = clCreateProgramWithSource(c.ctx, 1, new String[] {MAIN}, null, null);
        int rc = clCompileProgram(noHeader, 1, devs, null, 0, null, null, null, null);
        out("compile without the embedded header (exceptions off): " + stringFor_errorCode(rc));
        out("  its build status: " + stringFor_cl_build_status(buildInt(noHeader, c.device, CL_PROGRAM_BUILD_STATUS)));
        cl_program raw = clCreateProgramWithSource(c.ctx, 1, new String[] {LIB}, null, null);
        clLinkProgram(c.ctx, 1, devs, null, 1, new cl_program[] {raw}, null, null, err);
        out("link an uncompiled program (exceptions off): " + stringFor_errorCode(err[0]));
        // (clCompileProgram with input headers but a null header_include_names is left out: PoCL 3.1 crashes (SIGSEGV))
        exceptions(true);
        out("link with an undefined function (exceptions on): " + thrown(() -> clReleaseProgram(clLinkProgram(c.ctx, 1, devs, null, 1,
            new cl_program[] {main}, null, null, null))));

        release(run, run2);
        clReleaseMemObject(buf);
        for (cl_program p : new cl_program[] {header, main, lib, linked, library, linked2, noHeader, raw}) {
            clReleaseProgram(p);
        }
        c.close();
        finish("CompileAndLink");
    }

    static String binaryType(int t) {
        switch (t) {
            case 0: return "CL_PROGRAM_BINARY_TYPE_NONE";
            case 1: return "CL_PROGRAM_BINARY_TYPE_COMPILED_OBJECT";
            case 2: return "CL_PROGRAM_BINARY_TYPE_LIBRARY";
            case 4: return "CL_PROGRAM_BINARY_TYPE_EXECUTABLE";
            default: return "unknown " + t;
        }
    }

    static String buildString(cl_program p, cl_device_id d, int param) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetProgramBuildInfo(p, d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }
}
