package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

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

/** NDRange/task launches, markers, barriers, events (info, profiling, refcounts), user events, launch errors. */
public class EnqueueAndEvents {

    static final String SOURCE = ""
        + "__kernel void add1(__global int* a) { a[get_global_id(0)] += 1; }\n"
        + "__kernel void single(__global int* a, const int n) {\n"
        + "    int s = 0;\n"
        + "    for (int i = 0; i < n; i++) s += a[i];\n"
        + "    a[n] = s;\n"
        + "}\n"
        + "__kernel void grid(__global int* a) {\n"
        + "    int x = get_global_id(0), y = get_global_id(1);\n"
        + "    a[y * get_global_size(0) + x] = x * 100 + y + (int) get_global_offset(0) * 10000;\n"
        + "}\n"
        + "__kernel void twoargs(__global int* a, const int v) { a[get_global_id(0)] = v; }\n";

    static int eventInt(cl_event event, int param) {
        int[] v = new int[1];
        clGetEventInfo(event, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static long profiling(cl_event event, int param) {
        long[] v = new long[1];
        clGetEventProfilingInfo(event, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    static String status(cl_event event) {
        return stringFor_command_execution_status(eventInt(event, CL_EVENT_COMMAND_EXECUTION_STATUS));
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_queue_properties qprops = new cl_queue_properties();
        qprops.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, qprops, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel add1 = clCreateKernel(program, "add1", null);
        cl_kernel single = clCreateKernel(program, "single", null);
        cl_kernel grid = clCreateKernel(program, "grid", null);

        int n = 256;
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, Sizeof.cl_int * (n + 1L), null, null);
        clEnqueueFillBuffer(queue, buf, Pointer.to(new int[] {0}), Sizeof.cl_int, 0, Sizeof.cl_int * (n + 1L), 0, null, null);

        // 1. NDRange with an output event
        clSetKernelArg(add1, 0, Sizeof.cl_mem, Pointer.to(buf));
        cl_event kernelEvent = new cl_event();
        clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {n}, new long[] {64}, 0, null, kernelEvent);
        clWaitForEvents(1, new cl_event[] {kernelEvent});
        expect("NDRange event command type", "CL_COMMAND_NDRANGE_KERNEL", stringFor_cl_command_type(eventInt(kernelEvent, CL_EVENT_COMMAND_TYPE)));
        expect("NDRange event status after wait", "CL_COMPLETE", status(kernelEvent));
        cl_command_queue evQueue = new cl_command_queue();
        clGetEventInfo(kernelEvent, CL_EVENT_COMMAND_QUEUE, Sizeof.cl_command_queue, Pointer.to(evQueue), null);
        check("CL_EVENT_COMMAND_QUEUE equals queue", queue.equals(evQueue));
        cl_context evCtx = new cl_context();
        clGetEventInfo(kernelEvent, CL_EVENT_CONTEXT, Sizeof.cl_context, Pointer.to(evCtx), null);
        check("CL_EVENT_CONTEXT equals context", ctx.equals(evCtx));
        long queued = profiling(kernelEvent, CL_PROFILING_COMMAND_QUEUED);
        long submit = profiling(kernelEvent, CL_PROFILING_COMMAND_SUBMIT);
        long start = profiling(kernelEvent, CL_PROFILING_COMMAND_START);
        long end = profiling(kernelEvent, CL_PROFILING_COMMAND_END);
        out("profiling: queued<=submit " + (queued <= submit) + ", submit<=start " + (submit <= start) + ", start<=end " + (start <= end)
            + ", end>0 " + (end > 0));

        // 2. events chained through wait lists: a second launch waits for the first
        cl_event second = new cl_event();
        clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {n}, null, 1, new cl_event[] {kernelEvent}, second);

        // 3. clEnqueueTask (single work item) after a marker with a wait list
        cl_event marker = new cl_event();
        clEnqueueMarkerWithWaitList(queue, 1, new cl_event[] {second}, marker);
        clSetKernelArg(single, 0, Sizeof.cl_mem, Pointer.to(buf));
        clSetKernelArg(single, 1, Sizeof.cl_int, Pointer.to(new int[] {n}));
        cl_event task = new cl_event();
        clEnqueueTask(queue, single, 1, new cl_event[] {marker}, task);
        cl_event barrier = new cl_event();
        clEnqueueBarrierWithWaitList(queue, 0, null, barrier);
        clWaitForEvents(2, new cl_event[] {task, barrier});
        expect("marker command type", "CL_COMMAND_MARKER", stringFor_cl_command_type(eventInt(marker, CL_EVENT_COMMAND_TYPE)));
        // PoCL 3.1 reports CL_COMMAND_NDRANGE_KERNEL for clEnqueueTask: print what the driver says
        out("task command type: " + stringFor_cl_command_type(eventInt(task, CL_EVENT_COMMAND_TYPE)));
        expect("barrier command type", "CL_COMMAND_BARRIER", stringFor_cl_command_type(eventInt(barrier, CL_EVENT_COMMAND_TYPE)));
        expect("task status", "CL_COMPLETE", status(task));
        int[] result = new int[n + 1];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, Sizeof.cl_int * (n + 1L), Pointer.to(result), 0, null, null);
        out("after two add1 launches and the task: a[0]=" + result[0] + " a[n]=" + result[n]);
        check("task sum", result[n] == 2 * n);

        // 4. a read with an event, waiting on a marker without a wait list
        cl_event marker2 = new cl_event();
        clEnqueueMarkerWithWaitList(queue, 0, null, marker2);
        cl_event readEvent = new cl_event();
        int[] firstFour = new int[4];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, Sizeof.cl_int * 4L, Pointer.to(firstFour), 1, new cl_event[] {marker2}, readEvent);
        expect("read event command type", "CL_COMMAND_READ_BUFFER", stringFor_cl_command_type(eventInt(readEvent, CL_EVENT_COMMAND_TYPE)));
        expect("blocking read event status", "CL_COMPLETE", status(readEvent));
        out("read with wait list: " + Arrays.toString(firstFour));

        // 5. 2D NDRange with a global offset
        cl_mem gridBuf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, Sizeof.cl_int * 8L * 4L, null, null);
        clSetKernelArg(grid, 0, Sizeof.cl_mem, Pointer.to(gridBuf));
        clEnqueueNDRangeKernel(queue, grid, 2, null, new long[] {8, 4}, new long[] {4, 2}, 0, null, null);
        int[] g = new int[32];
        clEnqueueReadBuffer(queue, gridBuf, CL_TRUE, 0, Sizeof.cl_int * 32L, Pointer.to(g), 0, null, null);
        out("2D grid row 3: " + Arrays.toString(Arrays.copyOfRange(g, 24, 32)));
        check("2D grid", g[3 * 8 + 5] == 503);
        clEnqueueNDRangeKernel(queue, grid, 2, new long[] {1, 0}, new long[] {4, 4}, null, 0, null, null);
        clEnqueueReadBuffer(queue, gridBuf, CL_TRUE, 0, Sizeof.cl_int * 32L, Pointer.to(g), 0, null, null);
        out("2D grid with offset (1,0), first 8: " + Arrays.toString(Arrays.copyOfRange(g, 0, 8)));

        // 6. user events gate work until the host sets them
        cl_event user = clCreateUserEvent(ctx, null);
        expect("user event command type", "CL_COMMAND_USER", stringFor_cl_command_type(eventInt(user, CL_EVENT_COMMAND_TYPE)));
        expect("user event status before set", "CL_SUBMITTED", status(user));
        cl_event gated = new cl_event();
        clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {n}, null, 1, new cl_event[] {user}, gated);
        clFlush(queue);
        out("gated kernel completed before the user event is set: " + status(gated).equals("CL_COMPLETE"));
        clSetUserEventStatus(user, CL_COMPLETE);
        clWaitForEvents(1, new cl_event[] {gated});
        expect("gated kernel status after set", "CL_COMPLETE", status(gated));
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, Sizeof.cl_int * 4L, Pointer.to(firstFour), 0, null, null);
        out("after the gated launch: " + Arrays.toString(firstFour));

        // 7. event reference counts
        expect("event reference count", 1, eventInt(kernelEvent, CL_EVENT_REFERENCE_COUNT));
        clRetainEvent(kernelEvent);
        expect("event reference count after retain", 2, eventInt(kernelEvent, CL_EVENT_REFERENCE_COUNT));
        clReleaseEvent(kernelEvent);
        expect("event reference count after release", 1, eventInt(kernelEvent, CL_EVENT_REFERENCE_COUNT));

        // 8. launch errors
        long maxWg = deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
        cl_kernel twoargs = clCreateKernel(program, "twoargs", null);
        clSetKernelArg(twoargs, 0, Sizeof.cl_mem, Pointer.to(buf));
        out("local size 7 for global 256 (exceptions on): "
            + thrown(() -> clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {256}, new long[] {7}, 0, null, null)));
        out("local size above the device maximum (exceptions on): "
            + thrown(() -> clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {maxWg * 2}, new long[] {maxWg * 2}, 0, null, null)));
        out("launch before all args are set (exceptions on): "
            + thrown(() -> clEnqueueNDRangeKernel(queue, twoargs, 1, null, new long[] {4}, null, 0, null, null)));
        out("work dim 0 (exceptions on): "
            + thrown(() -> clEnqueueNDRangeKernel(queue, add1, 0, null, new long[] {4}, null, 0, null, null)));
        out("wait list count 1 with a null list (exceptions on): "
            + thrown(() -> clEnqueueMarkerWithWaitList(queue, 1, null, null)));
        out("profiling info of a user event (exceptions on): "
            + thrown(() -> clGetEventProfilingInfo(user, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(new long[1]), null)));
        exceptions(false);
        expectError("local size 7 for global 256 (exceptions off)", CL_INVALID_WORK_GROUP_SIZE,
            clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {256}, new long[] {7}, 0, null, null));
        int rc = clEnqueueNDRangeKernel(queue, add1, 1, null, new long[] {maxWg * 2}, new long[] {maxWg * 2}, 0, null, null);
        out("local size above the device maximum (exceptions off): " + stringFor_errorCode(rc));
        check("local size above the device maximum is an error", rc != CL_SUCCESS);
        expectError("launch before all args are set (exceptions off)", CL_INVALID_KERNEL_ARGS,
            clEnqueueNDRangeKernel(queue, twoargs, 1, null, new long[] {4}, null, 0, null, null));
        expectError("work dim 0 (exceptions off)", CL_INVALID_WORK_DIMENSION,
            clEnqueueNDRangeKernel(queue, add1, 0, null, new long[] {4}, null, 0, null, null));
        expectError("wait list count 1 with a null list (exceptions off)", CL_INVALID_EVENT_WAIT_LIST,
            clEnqueueMarkerWithWaitList(queue, 1, null, null));
        rc = clGetEventProfilingInfo(user, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(new long[1]), null);
        expectError("profiling info of a user event (exceptions off)", CL_PROFILING_INFO_NOT_AVAILABLE, rc);
        exceptions(true);

        // the queue still works after the errors; the failed launches did nothing
        clSetKernelArg(twoargs, 1, Sizeof.cl_int, Pointer.to(new int[] {42}));
        clEnqueueNDRangeKernel(queue, twoargs, 1, null, new long[] {4}, null, 0, null, null);
        clFinish(queue);
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, Sizeof.cl_int * 8L, Pointer.to(result), 0, null, null);
        out("after the errors: " + Arrays.toString(Arrays.copyOf(result, 8)));
        check("failed launches changed nothing", result[4] == 3 && result[0] == 42);

        for (cl_event e : new cl_event[] {kernelEvent, second, marker, task, barrier, marker2, readEvent, user, gated}) {
            clReleaseEvent(e);
        }
        for (cl_kernel k : new cl_kernel[] {add1, single, grid, twoargs}) {
            clReleaseKernel(k);
        }
        clReleaseMemObject(buf);
        clReleaseMemObject(gridBuf);
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("EnqueueAndEvents");
    }
}
