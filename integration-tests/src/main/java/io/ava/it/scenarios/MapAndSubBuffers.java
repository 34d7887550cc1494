package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/** Mapping buffers (read, write, invalidate, non-blocking) and sub-buffers (info, kernels, aliasing the parent). */
public class MapAndSubBuffers {

    static final String SOURCE = "__kernel void inc(__global int* a) { a[get_global_id(0)] += 1; }\n";

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel inc = clCreateKernel(program, "inc", null);

        int align = deviceInt(device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
        int ints = align / Sizeof.cl_int * 4; // four aligned quarters
        long bytes = (long) Sizeof.cl_int * ints;
        int[] init = new int[ints];
        for (int i = 0; i < ints; i++) {
            init[i] = i;
        }
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, Pointer.to(init), null);

        // 1. blocking map for reading
        ByteBuffer mapped = clEnqueueMapBuffer(queue, buf, CL_TRUE, CL_MAP_READ, 0, bytes, 0, null, null, null);
        out("mapped buffer: direct " + mapped.isDirect() + ", capacity " + mapped.capacity() + ", default order " + mapped.order());
        mapped.order(ByteOrder.nativeOrder());
        out("mapped ints 0, 1, last: " + mapped.getInt(0) + " " + mapped.getInt(4) + " " + mapped.getInt((ints - 1) * 4));
        check("mapped contents", mapped.getInt((ints - 1) * 4) == ints - 1);
        clEnqueueUnmapMemObject(queue, buf, mapped, 0, null, null);

        // 2. map a range for writing, change it, unmap: the buffer has the changes
        ByteBuffer window = clEnqueueMapBuffer(queue, buf, CL_TRUE, CL_MAP_WRITE, 16, 16, 0, null, null, null);
        window.order(ByteOrder.nativeOrder());
        out("write-mapped window before change: " + window.getInt(0) + " " + window.getInt(12));
        for (int i = 0; i < 4; i++) {
            window.putInt(i * 4, -100 - i);
        }
        clEnqueueUnmapMemObject(queue, buf, window, 0, null, null);
        int[] back = new int[8];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, 32, Pointer.to(back), 0, null, null);
        out("after write map/unmap: " + Arrays.toString(back));
        check("write map landed", back[4] == -100 && back[7] == -103 && back[3] == 3 && back[0] == 0);

        // 3. invalidate-region map: overwrite everything in the range
        ByteBuffer inv = clEnqueueMapBuffer(queue, buf, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 0, 16, 0, null, null, null);
        inv.order(ByteOrder.nativeOrder());
        for (int i = 0; i < 4; i++) {
            inv.putInt(i * 4, 7000 + i);
        }
        clEnqueueUnmapMemObject(queue, buf, inv, 0, null, null);
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, 32, Pointer.to(back), 0, null, null);
        out("after invalidate-region map/unmap: " + Arrays.toString(back));
        check("invalidate map landed", back[0] == 7000 && back[3] == 7003 && back[4] == -100);

        // 4. non-blocking map after a kernel, completed through its event
        clSetKernelArg(inc, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(queue, inc, 1, null, new long[] {ints}, null, 0, null, null);
        cl_event mapEvent = new cl_event();
        ByteBuffer late = clEnqueueMapBuffer(queue, buf, CL_FALSE, CL_MAP_READ, 0, bytes, 0, null, mapEvent, null);
        clWaitForEvents(1, new cl_event[] {mapEvent});
        late.order(ByteOrder.nativeOrder());
        out("non-blocking map after inc: " + late.getInt(0) + " " + late.getInt(16) + " " + late.getInt((ints - 1) * 4));
        check("non-blocking map sees the kernel", late.getInt(0) == 7001 && late.getInt((ints - 1) * 4) == ints);
        cl_event unmapEvent = new cl_event();
        clEnqueueUnmapMemObject(queue, buf, late, 0, null, unmapEvent);
        clWaitForEvents(1, new cl_event[] {unmapEvent});
        int[] mapCount = new int[1];
        clGetMemObjectInfo(buf, CL_MEM_MAP_COUNT, Sizeof.cl_uint, Pointer.to(mapCount), null);
        out("CL_MEM_MAP_COUNT after all unmaps: " + mapCount[0]);

        // 5. sub-buffers: the second quarter of the buffer
        long quarter = bytes / 4;
        cl_mem sub = clCreateSubBuffer(buf, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(quarter, quarter), null);
        long[] size = new long[1];
        clGetMemObjectInfo(sub, CL_MEM_SIZE, Sizeof.size_t, Pointer.to(size), null);
        expect("sub-buffer CL_MEM_SIZE", quarter, size[0]);
        long[] offset = new long[1];
        clGetMemObjectInfo(sub, CL_MEM_OFFSET, Sizeof.size_t, Pointer.to(offset), null);
        expect("sub-buffer CL_MEM_OFFSET", quarter, offset[0]);
        cl_mem parent = new cl_mem();
        clGetMemObjectInfo(sub, CL_MEM_ASSOCIATED_MEMOBJECT, Sizeof.cl_mem, Pointer.to(parent), null);
        check("CL_MEM_ASSOCIATED_MEMOBJECT equals the parent", buf.equals(parent));
        int[] parentRefs = new int[1];
        clGetMemObjectInfo(buf, CL_MEM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(parentRefs), null);
        out("parent reference count with a sub-buffer: " + parentRefs[0]);

        // a kernel on the sub-buffer changes only that quarter of the parent
        clSetKernelArg(inc, 0, Sizeof.cl_mem, Pointer.to(sub));
        clEnqueueNDRangeKernel(queue, inc, 1, null, new long[] {quarter / Sizeof.cl_int}, null, 0, null, null);
        int[] whole = new int[ints];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, bytes, Pointer.to(whole), 0, null, null);
        int q = ints / 4;
        out("parent around the sub-buffer start: " + whole[q - 1] + " " + whole[q] + "; around its end: " + whole[2 * q - 1] + " "
            + whole[2 * q]);
        check("sub-buffer kernel touched only its range", whole[q - 1] == q && whole[q] == q + 2 && whole[2 * q - 1] == 2 * q + 1
            && whole[2 * q] == 2 * q + 1);
        // writing the sub-buffer shows in the parent; reading the sub-buffer sees the parent's bytes
        clEnqueueWriteBuffer(queue, sub, CL_TRUE, 0, Sizeof.cl_int, Pointer.to(new int[] {-5}), 0, null, null);
        int[] one = new int[1];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, quarter, Sizeof.cl_int, Pointer.to(one), 0, null, null);
        expect("parent sees the sub-buffer write", -5, one[0]);

        // mapping the sub-buffer
        ByteBuffer subMap = clEnqueueMapBuffer(queue, sub, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, 8, 0, null, null, null);
        subMap.order(ByteOrder.nativeOrder());
        out("mapped sub-buffer first ints: " + subMap.getInt(0) + " " + subMap.getInt(4));
        subMap.putInt(4, 4242);
        clEnqueueUnmapMemObject(queue, sub, subMap, 0, null, null);
        clEnqueueReadBuffer(queue, buf, CL_TRUE, quarter + 4, Sizeof.cl_int, Pointer.to(one), 0, null, null);
        expect("parent sees the write through the mapped sub-buffer", 4242, one[0]);

        // errors: unmapping something not mapped, mapping out of range
        ByteBuffer stray = ByteBuffer.allocateDirect(16);
        out("unmap a buffer that was never mapped (exceptions on): " + thrown(() -> clEnqueueUnmapMemObject(queue, buf, stray, 0, null, null)));
        out("map past the end (exceptions on): "
            + thrown(() -> clEnqueueMapBuffer(queue, buf, CL_TRUE, CL_MAP_READ, bytes - 4, 8, 0, null, null, null)));
        exceptions(false);
        int[] err = new int[1];
        clEnqueueMapBuffer(queue, buf, CL_TRUE, CL_MAP_READ, bytes - 4, 8, 0, null, null, err);
        expectError("map past the end (exceptions off)", CL_INVALID_VALUE, err[0]);
        exceptions(true);

        clFinish(queue);
        clReleaseEvent(mapEvent);
        clReleaseEvent(unmapEvent);
        clReleaseMemObject(sub);
        clReleaseMemObject(buf);
        clReleaseKernel(inc);
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("MapAndSubBuffers");
    }
}
