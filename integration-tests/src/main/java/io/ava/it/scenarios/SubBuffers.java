package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Both clCreateSubBuffer overloads (cl_buffer_region and a Pointer to the region's bytes), misaligned and
 * out-of-range regions, a kernel on a sub-buffer, CL_MEM_ASSOCIATED_MEMOBJECT / CL_MEM_OFFSET / CL_MEM_FLAGS.
 */
public class SubBuffers {

    static final String SOURCE = "__kernel void neg(__global int* a) { a[get_global_id(0)] = -a[get_global_id(0)]; }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel neg = clCreateKernel(program, "neg", null);
        int align = deviceInt(c.device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
        out("CL_DEVICE_MEM_BASE_ADDR_ALIGN (bytes): " + align);
        int ints = align / 4 * 4;
        long bytes = 4L * ints;
        cl_mem parent = c.ints(iota(ints, 0));

        // 1. the cl_buffer_region overload
        cl_mem s1 = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(align, align), null);
        expect("region overload: CL_MEM_SIZE", (long) align, memSize(s1, CL_MEM_SIZE));
        expect("region overload: CL_MEM_OFFSET", (long) align, memSize(s1, CL_MEM_OFFSET));
        cl_mem assoc = new cl_mem();
        clGetMemObjectInfo(s1, CL_MEM_ASSOCIATED_MEMOBJECT, Sizeof.cl_mem, Pointer.to(assoc), null);
        check("region overload: CL_MEM_ASSOCIATED_MEMOBJECT equals the parent", parent.equals(assoc));
        cl_mem none = new cl_mem();
        clGetMemObjectInfo(parent, CL_MEM_ASSOCIATED_MEMOBJECT, Sizeof.cl_mem, Pointer.to(none), null);
        check("parent: CL_MEM_ASSOCIATED_MEMOBJECT is null", none.equals(new cl_mem()));
        expect("parent: CL_MEM_OFFSET", 0L, memSize(parent, CL_MEM_OFFSET));
        long[] flags = new long[1];
        clGetMemObjectInfo(s1, CL_MEM_FLAGS, Sizeof.cl_long, Pointer.to(flags), null);
        out("sub-buffer CL_MEM_FLAGS: " + stringFor_cl_mem_flags(flags[0]));

        // 2. the Pointer overload: the region as two size_t in native order
        ByteBuffer region = direct(2 * Sizeof.size_t);
        if (Sizeof.size_t == 8) {
            region.putLong(0, 2L * align).putLong(8, align);
        } else {
            region.putInt(0, 2 * align).putInt(4, align);
        }
        cl_mem s2 = clCreateSubBuffer(parent, CL_MEM_READ_ONLY, CL_BUFFER_CREATE_TYPE_REGION, Pointer.to(region), null);
        expect("pointer overload: CL_MEM_OFFSET", 2L * align, memSize(s2, CL_MEM_OFFSET));
        expect("pointer overload: CL_MEM_SIZE", (long) align, memSize(s2, CL_MEM_SIZE));
        int[] r = new int[4];
        clEnqueueReadBuffer(c.queue, s2, CL_TRUE, 0, 16, Pointer.to(r), 0, null, null);
        out("pointer overload sub-buffer first ints: " + Arrays.toString(r));
        check("pointer overload sub-buffer aliases the parent", r[0] == 2 * align / 4);

        // 3. a kernel on a sub-buffer touches only its range
        clSetKernelArg(neg, 0, Sizeof.cl_mem, Pointer.to(s1));
        clEnqueueNDRangeKernel(c.queue, neg, 1, null, new long[] {align / 4}, null, 0, null, null);
        int[] all = c.read(parent, ints);
        int q = align / 4;
        out("parent around the sub-buffer: " + all[q - 1] + " " + all[q] + " ... " + all[2 * q - 1] + " " + all[2 * q]);
        check("kernel on the sub-buffer", all[q - 1] == q - 1 && all[q] == -q && all[2 * q - 1] == -(2 * q - 1) && all[2 * q] == 2 * q);

        // 4. a sub-buffer of a sub-buffer is an error; parent refcount
        out("sub-buffer of a sub-buffer (exceptions on): " + thrown(() -> clCreateSubBuffer(s1, CL_MEM_READ_WRITE,
            CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(0, 16), null)));
        int[] refs = new int[1];
        clGetMemObjectInfo(parent, CL_MEM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        out("parent reference count with two sub-buffers: " + refs[0]);

        // 5. errors, exceptions on and off
        out("misaligned origin (exceptions on): " + thrown(() -> clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
            new cl_buffer_region(4, 16), null)));
        out("out of range (exceptions on): " + thrown(() -> clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
            new cl_buffer_region(align * 3L, align * 2L), null)));
        out("size 0 (exceptions on): " + thrown(() -> clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
            new cl_buffer_region(0, 0), null)));
        out("bad create type (exceptions on): " + thrown(() -> clCreateSubBuffer(parent, CL_MEM_READ_WRITE, 0x7777,
            new cl_buffer_region(0, 16), null)));
        exceptions(false);
        int[] err = new int[1];
        cl_mem x = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(4, 16), err);
        expectError("misaligned origin (exceptions off)", CL_MISALIGNED_SUB_BUFFER_OFFSET, err[0]);
        out("misaligned origin returned null: " + (x == null));
        clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(align * 3L, align * 2L), err);
        expectError("out of range (exceptions off)", CL_INVALID_VALUE, err[0]);
        // flags incompatible with the parent: a WRITE_ONLY sub-buffer of a READ_ONLY parent
        cl_mem ro = clCreateBuffer(c.ctx, CL_MEM_READ_ONLY, bytes, null, null);
        clCreateSubBuffer(ro, CL_MEM_WRITE_ONLY, CL_BUFFER_CREATE_TYPE_REGION, new cl_buffer_region(0, align), err);
        out("WRITE_ONLY sub-buffer of a READ_ONLY parent (exceptions off): " + stringFor_errorCode(err[0]));
        exceptions(true);

        // 6. the sub-buffer outlives the parent's own reference
        clReleaseMemObject(parent);
        int[] left = new int[4];
        clEnqueueReadBuffer(c.queue, s2, CL_TRUE, 4, 16, Pointer.to(left), 0, null, null);
        out("sub-buffer read after the parent's release: " + Arrays.toString(left));

        release(s1, s2, ro);
        clReleaseKernel(neg);
        clReleaseProgram(program);
        c.close();
        finish("SubBuffers");
    }
}
