package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

/**
 * clSetCommandQueueProperty (deprecated), an out-of-order queue ordered by events, the deprecated
 * clCreateCommandQueue, clCreateCommandQueueWithProperties with CL_QUEUE_SIZE (host and device queues), queue info.
 */
public class QueueProperties {

    static final String SOURCE = "__kernel void setv(__global int* a, const int i, const int v) { a[i] = a[i] * 10 + v; }\n";

    static long queueLong(cl_command_queue q, int param) {
        long[] v = new long[1];
        clGetCommandQueueInfo(q, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);

        // 1. clSetCommandQueueProperty
        exceptions(false);
        long[] old = {-1};
        int rc = clSetCommandQueueProperty(c.queue, CL_QUEUE_PROFILING_ENABLE, true, old);
        out("clSetCommandQueueProperty: " + stringFor_errorCode(rc) + (rc == CL_SUCCESS ? ", old properties " + old[0] : ""));
        exceptions(true);
        out("queue properties afterwards: " + stringFor_cl_command_queue_properties(queueLong(c.queue, CL_QUEUE_PROPERTIES)));

        // 2. an out-of-order queue: a chain of kernels on one element ordered only by events
        cl_command_queue ooo = c.newQueue(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
        out("out-of-order queue properties: " + stringFor_cl_command_queue_properties(queueLong(ooo, CL_QUEUE_PROPERTIES)));
        cl_mem buf = c.ints(0, 0);
        cl_kernel[] ks = new cl_kernel[6];
        cl_event[] prev = null;
        cl_event[] evs = new cl_event[6];
        for (int i = 0; i < 6; i++) {
            ks[i] = clCreateKernel(program, "setv", null);
            clSetKernelArg(ks[i], 0, Sizeof.cl_mem, Pointer.to(buf));
            clSetKernelArg(ks[i], 1, Sizeof.cl_int, Pointer.to(new int[] {i % 2}));
            clSetKernelArg(ks[i], 2, Sizeof.cl_int, Pointer.to(new int[] {i + 1}));
            evs[i] = new cl_event();
            // each pair (one task per element) waits for both tasks of the previous pair
            clEnqueueTask(ooo, ks[i], prev == null ? 0 : 2, prev, evs[i]);
            if (i % 2 == 1) {
                prev = new cl_event[] {evs[i - 1], evs[i]};
            }
        }
        clFinish(ooo);
        out("out-of-order chain result: " + Arrays.toString(c.read(buf, 2)));

        // 3. the deprecated clCreateCommandQueue
        cl_command_queue dep = clCreateCommandQueue(c.ctx, c.device, CL_QUEUE_PROFILING_ENABLE, null);
        out("clCreateCommandQueue(PROFILING) properties: " + stringFor_cl_command_queue_properties(queueLong(dep, CL_QUEUE_PROPERTIES)));

        // 4. CL_QUEUE_SIZE: only valid for device queues
        cl_queue_properties hostSize = new cl_queue_properties();
        hostSize.addProperty(CL_QUEUE_SIZE, 1024);
        out("host queue with CL_QUEUE_SIZE (exceptions on): " + thrown(() -> clReleaseCommandQueue(clCreateCommandQueueWithProperties(c.ctx,
            c.device, hostSize, null))));
        out("CL_DEVICE_QUEUE_ON_DEVICE_MAX_SIZE: " + deviceInt(c.device, CL_DEVICE_QUEUE_ON_DEVICE_MAX_SIZE));
        cl_queue_properties devQ = new cl_queue_properties();
        devQ.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_ON_DEVICE);
        devQ.addProperty(CL_QUEUE_SIZE, 1024);
        out("device queue with CL_QUEUE_SIZE (exceptions on): " + thrown(() -> clReleaseCommandQueue(clCreateCommandQueueWithProperties(c.ctx,
            c.device, devQ, null))));
        cl_queue_properties bad = new cl_queue_properties();
        bad.addProperty(CL_QUEUE_PROPERTIES, 1L << 20);
        out("unknown queue property bit (exceptions on): " + thrown(() -> clCreateCommandQueueWithProperties(c.ctx, c.device, bad, null)));

        // 5. queue info
        org.jocl.cl_device_id qd = new org.jocl.cl_device_id();
        clGetCommandQueueInfo(ooo, CL_QUEUE_DEVICE, Sizeof.cl_device_id, Pointer.to(qd), null);
        check("CL_QUEUE_DEVICE equals the device", c.device.equals(qd));
        int[] refs = new int[1];
        clGetCommandQueueInfo(ooo, CL_QUEUE_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        out("out-of-order queue reference count: " + refs[0]);

        release(evs);
        release(ks);
        clReleaseMemObject(buf);
        clReleaseProgram(program);
        clReleaseCommandQueue(ooo);
        clReleaseCommandQueue(dep);
        c.close();
        finish("QueueProperties");
    }
}
