package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

/**
 * Shared set-up for the conformance scenarios (issue "Every JOCL entry point remoted with native semantics"):
 * one platform, one device, one context, one queue. Nothing here prints handles or timings.
 */
final class Conf {

    final cl_platform_id platform;
    final cl_device_id device;
    final cl_context ctx;
    final cl_command_queue queue;

    private Conf(long queueProperties) {
        exceptions(true);
        platform = firstPlatform();
        device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        queue = newQueue(queueProperties);
    }

    static Conf open() {
        return new Conf(0);
    }

    static Conf open(long queueProperties) {
        return new Conf(queueProperties);
    }

    cl_command_queue newQueue(long properties) {
        cl_queue_properties qprops = null;
        if (properties != 0) {
            qprops = new cl_queue_properties();
            qprops.addProperty(CL_QUEUE_PROPERTIES, properties);
        }
        return clCreateCommandQueueWithProperties(ctx, device, qprops, null);
    }

    cl_program build(String source) {
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {source}, null, null);
        clBuildProgram(program, 1, new cl_device_id[] {device}, null, null, null);
        return program;
    }

    cl_mem ints(int... values) {
        return clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_int * values.length, Pointer.to(values), null);
    }

    int[] read(cl_mem mem, int n) {
        int[] r = new int[n];
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) Sizeof.cl_int * n, Pointer.to(r), 0, null, null);
        return r;
    }

    void close() {
        clFinish(queue);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
    }

    static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    static int[] ints(ByteBuffer b, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = b.getInt(i * 4);
        }
        return r;
    }

    static int[] iota(int n, int base) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = base + i;
        }
        return r;
    }

    static int eventInt(cl_event event, int param) {
        int[] v = new int[1];
        clGetEventInfo(event, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static String status(cl_event event) {
        int s = eventInt(event, CL_EVENT_COMMAND_EXECUTION_STATUS);
        return s < 0 ? stringFor_errorCode(s) : stringFor_command_execution_status(s);
    }

    static void release(cl_event... events) {
        for (cl_event e : events) {
            clReleaseEvent(e);
        }
    }

    static void release(cl_kernel... kernels) {
        for (cl_kernel k : kernels) {
            clReleaseKernel(k);
        }
    }

    static void release(cl_mem... mems) {
        for (cl_mem m : mems) {
            clReleaseMemObject(m);
        }
    }

    static long sizeT(ByteBuffer b) {
        return Sizeof.size_t == 8 ? b.getLong(0) : b.getInt(0);
    }

    static long memSize(cl_mem mem, int param) {
        ByteBuffer b = direct(8);
        clGetMemObjectInfo(mem, param, Sizeof.size_t, Pointer.to(b), null);
        return sizeT(b);
    }

    static long imageSize(cl_mem image, int param) {
        ByteBuffer b = direct(8);
        clGetImageInfo(image, param, Sizeof.size_t, Pointer.to(b), null);
        return sizeT(b);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
