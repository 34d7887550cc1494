package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.jocl.cl_context_properties;
import org.jocl.cl_queue_properties;

/** Command queues: both creation calls, info queries (handle-valued ones too), flush/finish, refcounts. */
public class Queues {

    static int refCount(cl_command_queue queue) {
        int[] value = new int[1];
        clGetCommandQueueInfo(queue, CL_QUEUE_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(value), null);
        return value[0];
    }

    static long properties(cl_command_queue queue) {
        long[] value = new long[1];
        clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, Sizeof.cl_long, Pointer.to(value), null);
        return value[0];
    }

    static void describe(String name, cl_command_queue queue, cl_context ctx, cl_device_id device) {
        cl_context qctx = new cl_context();
        clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, Sizeof.cl_context, Pointer.to(qctx), null);
        check(name + " CL_QUEUE_CONTEXT equals context", ctx.equals(qctx));
        cl_device_id qdev = new cl_device_id();
        clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, Sizeof.cl_device_id, Pointer.to(qdev), null);
        check(name + " CL_QUEUE_DEVICE equals device", device.equals(qdev));
        out(name + " CL_QUEUE_PROPERTIES: " + stringFor_cl_command_queue_properties(properties(queue)).trim());
        expect(name + " reference count", 1, refCount(queue));
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);

        long hostQueueProps = deviceLong(device, CL_DEVICE_QUEUE_PROPERTIES);
        out("device CL_DEVICE_QUEUE_PROPERTIES: " + stringFor_cl_command_queue_properties(hostQueueProps).trim());

        // 1. the deprecated creation call, with profiling
        @SuppressWarnings("deprecation")
        cl_command_queue profiling = clCreateCommandQueue(ctx, device, CL_QUEUE_PROFILING_ENABLE, null);
        describe("clCreateCommandQueue(PROFILING)", profiling, ctx, device);

        @SuppressWarnings("deprecation")
        cl_command_queue plain = clCreateCommandQueue(ctx, device, 0, null);
        describe("clCreateCommandQueue(0)", plain, ctx, device);
        check("two queues are distinct objects", !plain.equals(profiling));

        // 2. with properties
        cl_queue_properties qprops = new cl_queue_properties();
        qprops.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE | CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
        cl_command_queue ooo = clCreateCommandQueueWithProperties(ctx, device, qprops, null);
        describe("clCreateCommandQueueWithProperties(PROFILING|OOO)", ooo, ctx, device);

        cl_command_queue noProps = clCreateCommandQueueWithProperties(ctx, device, null, null);
        describe("clCreateCommandQueueWithProperties(null)", noProps, ctx, device);

        // 3. flush and finish on an empty and a busy queue
        expectError("clFlush", CL_SUCCESS, clFlush(plain));
        expectError("clFinish", CL_SUCCESS, clFinish(plain));
        int[] data = new int[1024];
        BusyBuffer holder = new BusyBuffer(ctx, data.length);
        for (int i = 0; i < 8; i++) {
            int[] pattern = {i};
            clEnqueueFillBuffer(ooo, holder.mem, Pointer.to(pattern), Sizeof.cl_int, 0, (long) Sizeof.cl_int * data.length, 0, null, null);
            clFinish(ooo);
        }
        clFlush(noProps);
        expectError("clFinish on out-of-order queue", CL_SUCCESS, clFinish(ooo));
        clEnqueueReadBuffer(noProps, holder.mem, CL_TRUE, 0, (long) Sizeof.cl_int * data.length, Pointer.to(data), 0, null, null);
        expect("buffer filled through the out-of-order queue, data[1023]", 7, data[1023]);
        clReleaseMemObject(holder.mem);

        // 4. reference counting
        clRetainCommandQueue(plain);
        expect("reference count after retain", 2, refCount(plain));
        clReleaseCommandQueue(plain);
        expect("reference count after release", 1, refCount(plain));

        // 5. errors
        cl_queue_properties bad = new cl_queue_properties();
        bad.addProperty(CL_QUEUE_PROPERTIES, 1L << 40);
        out("bad queue properties (exceptions on): " + thrown(() -> clCreateCommandQueueWithProperties(ctx, device, bad, null)));
        out("clGetCommandQueueInfo bad param (exceptions on): "
            + thrown(() -> clGetCommandQueueInfo(plain, 0x7FFF, 8, Pointer.to(new long[1]), null)));
        exceptions(false);
        int[] err = new int[1];
        clCreateCommandQueueWithProperties(ctx, device, bad, err);
        out("bad queue properties (exceptions off): " + stringFor_errorCode(err[0]));
        check("bad queue properties is an error", err[0] != CL_SUCCESS);
        int rc = clGetCommandQueueInfo(plain, 0x7FFF, 8, Pointer.to(new long[1]), null);
        expectError("clGetCommandQueueInfo bad param (exceptions off)", CL_INVALID_VALUE, rc);

        expectError("release profiling", CL_SUCCESS, clReleaseCommandQueue(profiling));
        expectError("release plain", CL_SUCCESS, clReleaseCommandQueue(plain));
        expectError("release ooo", CL_SUCCESS, clReleaseCommandQueue(ooo));
        expectError("release noProps", CL_SUCCESS, clReleaseCommandQueue(noProps));
        expectError("release context", CL_SUCCESS, clReleaseContext(ctx));
        finish("Queues");
    }

    /** A buffer used to give the queues some work. */
    static final class BusyBuffer {
        final org.jocl.cl_mem mem;

        BusyBuffer(cl_context ctx, int ints) {
            mem = clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_int * ints, null, null);
        }
    }
}
