package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * clEnqueueMapBuffer: READ, WRITE, READ|WRITE, WRITE_INVALIDATE_REGION; blocking and non-blocking (waiting on the
 * event); unmap blocking (finish) and non-blocking (event); a sub-range with an offset; the mapped buffer's byte order
 * (big-endian by default, then native); two maps of one buffer at once; CL_MEM_MAP_COUNT.
 */
public class MapBuffer {

    static final String SOURCE = "__kernel void twice(__global int* a) { a[get_global_id(0)] *= 2; }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel twice = clCreateKernel(program, "twice", null);
        int n = 64;
        long bytes = 4L * n;
        cl_mem buf = c.ints(iota(n, 1));

        // 1. blocking READ map: the default order is big-endian, then native order
        ByteBuffer m = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, 0, bytes, 0, null, null, null);
        out("map: direct " + m.isDirect() + ", capacity " + m.capacity() + ", position " + m.position() + ", limit " + m.limit()
            + ", order " + m.order());
        out("first int read big-endian (raw bytes of native 1): " + m.getInt(0));
        m.order(ByteOrder.nativeOrder());
        out("first ints in native order: " + Arrays.toString(ints(m, 4)));
        int[] count = new int[1];
        clGetMemObjectInfo(buf, CL_MEM_MAP_COUNT, Sizeof.cl_uint, Pointer.to(count), null);
        out("CL_MEM_MAP_COUNT while mapped: " + count[0]);
        clEnqueueUnmapMemObject(c.queue, buf, m, 0, null, null);
        clFinish(c.queue);

        // 2. blocking WRITE map, modify, unmap with an event
        ByteBuffer w = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, null, null, null).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            w.putInt(i * 4, 100 + i);
        }
        cl_event un = new cl_event();
        clEnqueueUnmapMemObject(c.queue, buf, w, 0, null, un);
        clWaitForEvents(1, new cl_event[] {un});
        expect("unmap event command type", "CL_COMMAND_UNMAP_MEM_OBJECT", stringFor_cl_command_type(eventInt(un, CL_EVENT_COMMAND_TYPE)));
        int[] r = c.read(buf, n);
        out("after WRITE map/unmap: " + r[0] + " " + r[1] + " ... " + r[n - 1]);
        check("WRITE map landed", r[0] == 100 && r[n - 1] == 100 + n - 1);

        // 3. a kernel, then a non-blocking READ|WRITE map waited on its event, modify, non-blocking unmap
        clSetKernelArg(twice, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, twice, 1, null, new long[] {n}, null, 0, null, null);
        cl_event me = new cl_event();
        ByteBuffer rw = clEnqueueMapBuffer(c.queue, buf, CL_FALSE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, null, me, null);
        clWaitForEvents(1, new cl_event[] {me});
        expect("map event command type", "CL_COMMAND_MAP_BUFFER", stringFor_cl_command_type(eventInt(me, CL_EVENT_COMMAND_TYPE)));
        rw.order(ByteOrder.nativeOrder());
        out("non-blocking READ|WRITE map after the kernel: " + Arrays.toString(ints(rw, 4)));
        check("map sees the kernel", rw.getInt(0) == 200);
        rw.putInt(0, -1);
        cl_event un2 = new cl_event();
        clEnqueueUnmapMemObject(c.queue, buf, rw, 0, null, un2);
        clEnqueueNDRangeKernel(c.queue, twice, 1, null, new long[] {n}, null, 1, new cl_event[] {un2}, null);
        r = c.read(buf, n);
        out("after unmap and a second kernel: " + r[0] + " " + r[1]);
        check("unmap before the kernel", r[0] == -2 && r[1] == 404);

        // 4. a sub-range with an offset: only those bytes
        ByteBuffer part = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 8 * 4, 4 * 4, 0, null, null, null)
            .order(ByteOrder.nativeOrder());
        out("sub-range map capacity " + part.capacity() + ", ints " + Arrays.toString(ints(part, 4)));
        part.putInt(0, 8888);
        clEnqueueUnmapMemObject(c.queue, buf, part, 0, null, null);
        r = c.read(buf, n);
        out("after the sub-range map: a[7..9] = " + r[7] + " " + r[8] + " " + r[9]);
        check("sub-range map wrote a[8] only", r[8] == 8888 && r[7] == (100 + 7) * 4 && r[9] == (100 + 9) * 4);

        // 5. WRITE_INVALIDATE_REGION: write every byte of the region, unmap, read back
        ByteBuffer inv = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 0, 16, 0, null, null, null)
            .order(ByteOrder.nativeOrder());
        for (int i = 0; i < 4; i++) {
            inv.putInt(i * 4, 7000 + i);
        }
        clEnqueueUnmapMemObject(c.queue, buf, inv, 0, null, null);
        r = c.read(buf, n);
        out("after WRITE_INVALIDATE_REGION map: " + Arrays.toString(Arrays.copyOf(r, 6)));
        check("invalidate-region map wrote the region only", r[0] == 7000 && r[3] == 7003 && r[4] == 416);

        // 6. two maps of one buffer at once (disjoint reads), unmapped in the opposite order
        ByteBuffer m1 = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, 0, 16, 0, null, null, null).order(ByteOrder.nativeOrder());
        ByteBuffer m2 = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, 32, 16, 0, null, null, null).order(ByteOrder.nativeOrder());
        clGetMemObjectInfo(buf, CL_MEM_MAP_COUNT, Sizeof.cl_uint, Pointer.to(count), null);
        // CL_MEM_MAP_COUNT is "for debugging": PoCL updates it when an unmap completes, so earlier unmaps may still count
        out("two maps: " + m1.getInt(0) + " " + m2.getInt(0) + ", CL_MEM_MAP_COUNT >= 2 " + (count[0] >= 2));
        clEnqueueUnmapMemObject(c.queue, buf, m2, 0, null, null);
        clEnqueueUnmapMemObject(c.queue, buf, m1, 0, null, null);
        clFinish(c.queue);
        clGetMemObjectInfo(buf, CL_MEM_MAP_COUNT, Sizeof.cl_uint, Pointer.to(count), null);
        out("CL_MEM_MAP_COUNT after both unmaps: " + count[0]);

        // 7. errors
        // the spec makes READ|WRITE_INVALIDATE_REGION invalid; PoCL 3.1 accepts it (then the map is undone here)
        exceptions(false);
        int[] flagsErr = new int[1];
        ByteBuffer odd = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE_INVALIDATE_REGION, 0, 16, 0, null, null,
            flagsErr);
        out("map with flags READ|WRITE_INVALIDATE_REGION (exceptions off): " + stringFor_errorCode(flagsErr[0]) + ", returned null "
            + (odd == null));
        if (odd != null) {
            clEnqueueUnmapMemObject(c.queue, buf, odd, 0, null, null);
            clFinish(c.queue);
        }
        exceptions(true);
        out("map of size 0 (exceptions on): " + thrown(() -> clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, 0, 0, 0, null, null, null)));
        exceptions(false);
        int[] err = new int[1];
        ByteBuffer none = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, bytes, 4, 0, null, null, err);
        out("map at the end (exceptions off): " + stringFor_errorCode(err[0]) + ", returned null " + (none == null));
        exceptions(true);
        cl_mem hostNoAccess = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE | CL_MEM_HOST_NO_ACCESS, 16, null, null);
        out("map a HOST_NO_ACCESS buffer (exceptions on): " + thrown(() -> clEnqueueMapBuffer(c.queue, hostNoAccess, CL_TRUE, CL_MAP_READ,
            0, 16, 0, null, null, null)));

        release(un, me, un2);
        release(buf, hostNoAccess);
        clReleaseKernel(twice);
        clReleaseProgram(program);
        c.close();
        finish("MapBuffer");
    }
}
