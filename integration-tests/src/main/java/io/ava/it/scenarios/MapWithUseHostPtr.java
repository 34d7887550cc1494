package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * A USE_HOST_PTR buffer (the application's own direct buffer and int[]) mapped, modified through the map, unmapped;
 * the application's own memory after unmap + finish; a kernel in between.
 */
public class MapWithUseHostPtr {

    static final String SOURCE = "__kernel void add10(__global int* a) { a[get_global_id(0)] += 10; }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel add10 = clCreateKernel(program, "add10", null);
        int n = 16;

        // 1. a direct buffer as the host pointer
        ByteBuffer host = direct(n * 4);
        for (int i = 0; i < n; i++) {
            host.putInt(i * 4, i);
        }
        cl_mem buf = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, 4L * n, Pointer.to(host), null);
        ByteBuffer m = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, 4L * n, 0, null, null, null)
            .order(ByteOrder.nativeOrder());
        out("mapped USE_HOST_PTR (direct) buffer: " + Arrays.toString(ints(m, n)));
        for (int i = 0; i < n; i++) {
            m.putInt(i * 4, m.getInt(i * 4) * 3);
        }
        clEnqueueUnmapMemObject(c.queue, buf, m, 0, null, null);
        clFinish(c.queue);
        out("host direct buffer after unmap+finish: " + Arrays.toString(ints(host, n)));
        check("host direct buffer holds the mapped writes", host.getInt(4 * 5) == 15);
        clSetKernelArg(add10, 0, Sizeof.cl_mem, Pointer.to(buf));
        clEnqueueNDRangeKernel(c.queue, add10, 1, null, new long[] {n}, null, 0, null, null);
        ByteBuffer m2 = clEnqueueMapBuffer(c.queue, buf, CL_TRUE, CL_MAP_READ, 0, 4L * n, 0, null, null, null).order(ByteOrder.nativeOrder());
        out("map after the kernel: " + Arrays.toString(ints(m2, n)));
        check("map after the kernel", m2.getInt(4 * 5) == 25);
        clEnqueueUnmapMemObject(c.queue, buf, m2, 0, null, null);
        clFinish(c.queue);
        out("host direct buffer after map(READ)/unmap+finish: " + Arrays.toString(ints(host, n)));
        check("host direct buffer after the kernel and a read map", host.getInt(4 * 5) == 25);

        // 2. an int[] as the host pointer
        int[] arr = iota(n, 1000);
        cl_mem abuf = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, 4L * n, Pointer.to(arr), null);
        ByteBuffer am = clEnqueueMapBuffer(c.queue, abuf, CL_TRUE, CL_MAP_WRITE, 4, 8, 0, null, null, null).order(ByteOrder.nativeOrder());
        am.putInt(0, -1).putInt(4, -2);
        clEnqueueUnmapMemObject(c.queue, abuf, am, 0, null, null);
        clFinish(c.queue);
        out("int[] after a WRITE map of a[1..2], unmap+finish: " + Arrays.toString(Arrays.copyOf(arr, 5)));
        int[] r = c.read(abuf, 5);
        out("buffer read: " + Arrays.toString(Arrays.copyOf(r, 5)));
        check("buffer holds the mapped writes", r[1] == -1 && r[2] == -2 && r[3] == 1003);

        clReleaseMemObject(buf);
        clReleaseMemObject(abuf);
        clReleaseKernel(add10);
        clReleaseProgram(program);
        c.close();
        finish("MapWithUseHostPtr");
    }
}
