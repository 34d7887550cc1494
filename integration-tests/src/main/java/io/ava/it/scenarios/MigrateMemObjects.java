package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/** clEnqueueMigrateMemObjects to the host, to the device, CONTENT_UNDEFINED; events; errors. Data stays intact. */
public class MigrateMemObjects {

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build("__kernel void inc(__global int* a) { a[get_global_id(0)] += 1; }\n");
        cl_kernel inc = clCreateKernel(program, "inc", null);
        cl_mem a = c.ints(1, 2, 3, 4);
        cl_mem b = c.ints(10, 20, 30, 40);

        cl_event toHost = new cl_event();
        clEnqueueMigrateMemObjects(c.queue, 2, new cl_mem[] {a, b}, CL_MIGRATE_MEM_OBJECT_HOST, 0, null, toHost);
        clWaitForEvents(1, new cl_event[] {toHost});
        expect("migrate event command type", "CL_COMMAND_MIGRATE_MEM_OBJECTS", stringFor_cl_command_type(eventInt(toHost,
            CL_EVENT_COMMAND_TYPE)));
        out("after migrating to the host: " + Arrays.toString(c.read(a, 4)) + " " + Arrays.toString(c.read(b, 4)));

        cl_event toDevice = new cl_event();
        clEnqueueMigrateMemObjects(c.queue, 1, new cl_mem[] {a}, 0, 0, null, toDevice);
        clSetKernelArg(inc, 0, Sizeof.cl_mem, Pointer.to(a));
        clEnqueueNDRangeKernel(c.queue, inc, 1, null, new long[] {4}, null, 1, new cl_event[] {toDevice}, null);
        out("after migrating to the device and a kernel: " + Arrays.toString(c.read(a, 4)));

        cl_event undef = new cl_event();
        clEnqueueMigrateMemObjects(c.queue, 1, new cl_mem[] {b}, CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED, 0, null, undef);
        clEnqueueWriteBuffer(c.queue, b, CL_TRUE, 0, 16, Pointer.to(new int[] {5, 6, 7, 8}), 1, new cl_event[] {undef}, null);
        out("after CONTENT_UNDEFINED and a write: " + Arrays.toString(c.read(b, 4)));

        out("migrate 0 objects (exceptions on): " + thrown(() -> clEnqueueMigrateMemObjects(c.queue, 0, new cl_mem[0], 0, 0, null, null)));
        out("migrate with unknown flags (exceptions on): " + thrown(() -> clEnqueueMigrateMemObjects(c.queue, 1, new cl_mem[] {a}, 1L << 10, 0,
            null, null)));
        out("migrate a null mem object (exceptions on): " + thrown(() -> clEnqueueMigrateMemObjects(c.queue, 1, new cl_mem[] {new cl_mem()}, 0,
            0, null, null)));

        release(toHost, toDevice, undef);
        release(a, b);
        clReleaseKernel(inc);
        clReleaseProgram(program);
        c.close();
        finish("MigrateMemObjects");
    }
}
