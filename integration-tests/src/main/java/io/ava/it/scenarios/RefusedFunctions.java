package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.cl_mem;

/**
 * Functions ava refuses (OpenGL interop, native kernels): each is called, and whatever happens (error code, exception)
 * is printed; under ava the scenario exits 0. Natively PoCL 3.1 aborts the whole process (exit code 2, "The entire
 * clCreateFromGLBuffer call is unimplemented") at the first call, so this scenario is remote-only; under ava each is
 * refused with CL_INVALID_OPERATION and a line "ava: <function> is refused: <reason>" on stderr. Not compared.
 */
public class RefusedFunctions {

    interface Call {
        Object run(int[] err);
    }

    static void attempt(String name, Call call) {
        exceptions(false);
        String off;
        int[] err = {CL_SUCCESS};
        try {
            Object r = call.run(err);
            int code = r instanceof Integer ? (Integer) r : err[0];
            off = stringFor_errorCode(code);
        } catch (Throwable e) {
            off = "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
        exceptions(true);
        String on;
        try {
            call.run(null);
            on = "no exception";
        } catch (org.jocl.CLException e) {
            on = "CLException " + stringFor_errorCode(e.getStatus());
        } catch (Throwable e) {
            on = "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
        out(name + " | exceptions off: " + off + " | exceptions on: " + on);
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_mem buf = c.ints(1);
        attempt("clCreateFromGLBuffer", e -> clCreateFromGLBuffer(c.ctx, CL_MEM_READ_WRITE, 1, e));
        attempt("clCreateFromGLTexture", e -> clCreateFromGLTexture(c.ctx, CL_MEM_READ_WRITE, 0x0DE1, 0, 1, e));
        attempt("clCreateFromGLRenderbuffer", e -> clCreateFromGLRenderbuffer(c.ctx, CL_MEM_READ_WRITE, 1, e));
        attempt("clGetGLObjectInfo", e -> clGetGLObjectInfo(buf, new int[1], new int[1]));
        attempt("clEnqueueAcquireGLObjects", e -> clEnqueueAcquireGLObjects(c.queue, 1, new cl_mem[] {buf}, 0, null, null));
        attempt("clEnqueueReleaseGLObjects", e -> clEnqueueReleaseGLObjects(c.queue, 1, new cl_mem[] {buf}, 0, null, null));
        attempt("clEnqueueNativeKernel", e -> clEnqueueNativeKernel(c.queue, data -> { }, null, 0, 0, null, null, 0, null, null));
        clReleaseMemObject(buf);
        c.close();
        out("RefusedFunctions: done");
        System.exit(0);
    }
}
