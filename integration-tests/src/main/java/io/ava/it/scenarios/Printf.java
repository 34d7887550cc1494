package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * A kernel using printf. The device's printf output goes to the process's stdout (natively PoCL writes it from the
 * driver); a line from Java is printed before and after, with clFinish in between, so the order is fixed.
 * clSetPrintfCallback (cl_arm_printf only) is tried and its outcome printed.
 */
public class Printf {

    static final String SOURCE = ""
        + "__kernel void hello(__global const int* a, const int n) {\n"
        + "    if (get_global_id(0) == 0) {\n"
        + "        printf(\"kernel says: n=%d first=%d last=%d pi~%.2f %s\\n\", n, a[0], a[n - 1], 3.14159f, \"done\");\n"
        + "    }\n"
        + "}\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel hello = clCreateKernel(program, "hello", null);
        int n = 16;
        cl_mem buf = c.ints(iota(n, 40));
        clSetKernelArg(hello, 0, Sizeof.cl_mem, Pointer.to(buf));
        clSetKernelArg(hello, 1, Sizeof.cl_int, Pointer.to(new int[] {n}));

        out("java: before the printf kernel");
        clEnqueueNDRangeKernel(c.queue, hello, 1, null, new long[] {8}, null, 0, null, null);
        clFinish(c.queue);
        out("java: after clFinish");
        clEnqueueNDRangeKernel(c.queue, hello, 1, null, new long[] {1}, null, 0, null, null);
        clFinish(c.queue);
        out("java: after the second launch");

        out("CL_DEVICE_PRINTF_BUFFER_SIZE > 0: " + (deviceSize(c.device, CL_DEVICE_PRINTF_BUFFER_SIZE) > 0));
        String exts = deviceString(c.device, CL_DEVICE_EXTENSIONS);
        out("device has cl_arm_printf: " + exts.contains("cl_arm_printf"));
        out("clSetPrintfCallback: " + describe(() -> clSetPrintfCallback(c.ctx, (ctx, len, s, d) -> { }, null)));

        clReleaseKernel(hello);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        c.close();
        finish("Printf");
    }

    static String describe(Runnable r) {
        try {
            return thrown(r);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}
