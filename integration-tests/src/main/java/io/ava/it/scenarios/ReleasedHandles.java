package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Handles used after a release where that is safe natively: the object is still retained elsewhere (an extra retain,
 * a kernel holding its program, a sub-buffer holding its parent, a queue holding its context), so the JOCL object
 * still names a live OpenCL object. A truly dangling handle is never used (natively undefined, may crash). Plus the
 * JOCL-level null-handle cases, exceptions off and on.
 */
public class ReleasedHandles {

    static int memRefs(cl_mem m) {
        int[] v = new int[1];
        clGetMemObjectInfo(m, CL_MEM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    public static void main(String[] args) {
        Conf c = Conf.open();

        // 1. retained twice, released once: still usable
        cl_mem buf = c.ints(1, 2, 3, 4);
        clRetainMemObject(buf);
        clReleaseMemObject(buf);
        expect("buffer refcount after retain+release", 1, memRefs(buf));
        out("buffer still readable: " + Arrays.toString(c.read(buf, 4)));

        // 2. a program released while a kernel holds it
        cl_program program = c.build("__kernel void neg(__global int* a) { a[get_global_id(0)] = -a[get_global_id(0)]; }\n");
        cl_kernel neg = clCreateKernel(program, "neg", null);
        clReleaseProgram(program);
        cl_program kp = new cl_program();
        clGetKernelInfo(neg, CL_KERNEL_PROGRAM, Sizeof.cl_program, Pointer.to(kp), null);
        check("CL_KERNEL_PROGRAM still equals the released program object", program.equals(kp));
        out("kernel function name after its program's release: " + kernelString(neg, CL_KERNEL_FUNCTION_NAME));
        clSetKernelArg(neg, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, neg, 1, null, new long[] {4}, null, 0, null, null);
        out("kernel run after its program's release: " + Arrays.toString(c.read(buf, 4)));

        // 3. a parent buffer released while a sub-buffer holds it: the sub-buffer's CL_MEM_ASSOCIATED_MEMOBJECT
        long align = deviceInt(c.device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
        cl_mem parent = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, align * 2, null, null);
        cl_mem sub = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new org.jocl.cl_buffer_region(align, align),
            null);
        clReleaseMemObject(parent);
        cl_mem assoc = new cl_mem();
        clGetMemObjectInfo(sub, CL_MEM_ASSOCIATED_MEMOBJECT, Sizeof.cl_mem, Pointer.to(assoc), null);
        check("sub-buffer still names its released parent", parent.equals(assoc));
        expect("released parent's refcount, seen through the sub-buffer's reference", 1, memRefs(assoc));

        // 4. a context released while a queue holds it
        cl_context ctx2 = clCreateContext(null, 1, new org.jocl.cl_device_id[] {c.device}, null, null, null);
        cl_command_queue q2 = clCreateCommandQueueWithProperties(ctx2, c.device, null, null);
        clReleaseContext(ctx2);
        cl_context qctx = new cl_context();
        clGetCommandQueueInfo(q2, CL_QUEUE_CONTEXT, Sizeof.cl_context, Pointer.to(qctx), null);
        check("queue still names its released context", ctx2.equals(qctx));
        cl_mem inReleased = clCreateBuffer(qctx, CL_MEM_READ_WRITE, 16, null, null);
        clEnqueueWriteBuffer(q2, inReleased, CL_TRUE, 0, 4, Pointer.to(new int[] {77}), 0, null, null);
        int[] one = new int[1];
        clEnqueueReadBuffer(q2, inReleased, CL_TRUE, 0, 4, Pointer.to(one), 0, null, null);
        out("buffer in a context kept alive by its queue: " + one[0]);

        // 5. an event released by the app while a callback registration is pending: the callback still runs
        cl_event u = clCreateUserEvent(c.ctx, null);
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        cl_event marker = new cl_event();
        clEnqueueMarkerWithWaitList(c.queue, 1, new cl_event[] {u}, marker);
        clSetEventCallback(marker, CL_COMPLETE, (e, s, d) -> ran.countDown(), null);
        clReleaseEvent(marker);
        clSetUserEventStatus(u, CL_COMPLETE);
        clFinish(c.queue);
        try {
            check("callback of a released marker ran", ran.await(10, java.util.concurrent.TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            fail("interrupted");
        }

        // 6. null handles (JOCL objects never created), exceptions off and on
        exceptions(false);
        out("clGetMemObjectInfo(null mem): " + stringFor_errorCode(clGetMemObjectInfo(new cl_mem(), CL_MEM_SIZE, 8, Pointer.to(new long[1]),
            null)));
        out("clReleaseKernel(null kernel): " + stringFor_errorCode(clReleaseKernel(new cl_kernel())));
        out("clRetainEvent(null event): " + stringFor_errorCode(clRetainEvent(new cl_event())));
        out("clReleaseCommandQueue(null queue): " + stringFor_errorCode(clReleaseCommandQueue(new cl_command_queue())));
        out("clGetProgramInfo(null program): " + stringFor_errorCode(clGetProgramInfo(new cl_program(), CL_PROGRAM_NUM_DEVICES, 4,
            Pointer.to(new int[1]), null)));
        out("clSetKernelArg(null kernel): " + stringFor_errorCode(clSetKernelArg(new cl_kernel(), 0, Sizeof.cl_mem, Pointer.to(buf))));
        out("clSetKernelArg with a null cl_mem value: " + stringFor_errorCode(clSetKernelArg(neg, 0, Sizeof.cl_mem, Pointer.to(new cl_mem()))));
        exceptions(true);
        out("clReleaseSampler(null sampler) (exceptions on): " + thrown(() -> clReleaseSampler(new org.jocl.cl_sampler())));
        out("clGetEventInfo(null event) (exceptions on): " + thrown(() -> clGetEventInfo(new cl_event(), CL_EVENT_COMMAND_TYPE, 4,
            Pointer.to(new int[1]), null)));
        out("clCreateKernel(null program) (exceptions on): " + thrown(() -> clCreateKernel(new cl_program(), "neg", null)));
        out("clRetainMemObject(java null) (exceptions on): " + describe(() -> clRetainMemObject(null)));

        clReleaseKernel(neg);
        release(buf, sub, inReleased);
        clReleaseCommandQueue(q2);
        clReleaseEvent(u);
        c.close();
        finish("ReleasedHandles");
    }

    static String describe(Runnable r) {
        try {
            return thrown(r);
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}
