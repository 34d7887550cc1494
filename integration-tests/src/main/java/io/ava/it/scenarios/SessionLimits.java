package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.cl_buffer_region;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_mem;

/**
 * Run against a server started with --max-session-memory 1m --max-session-objects 12: buffers and
 * images up to the memory limit, the allocation failure past it, the budget given back on release
 * (not before the last sub-buffer is gone), and the object limit. Remote only (a native run has no
 * such limits).
 */
public class SessionLimits {
    static final long KB = 1024;

    public static void main(String[] args) {
        Conf c = Conf.open();
        exceptions(false);
        int[] err = new int[1];
        cl_mem a = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 512 * KB, null, err);
        expectError("a 512 KiB", CL_SUCCESS, err[0]);
        cl_mem b = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 384 * KB, null, err);
        expectError("b 384 KiB", CL_SUCCESS, err[0]);
        cl_mem tooMuch = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 256 * KB, null, err);
        expectError("c 256 KiB past 1 MiB", CL_MEM_OBJECT_ALLOCATION_FAILURE, err[0]);
        check("c is null", tooMuch == null);
        cl_mem huge = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 100L << 30, null, err);
        expectError("100 GiB", CL_MEM_OBJECT_ALLOCATION_FAILURE, err[0]);
        check("100 GiB is null", huge == null);

        // an image counts its pixels: 128 x 128 RGBA8 = 64 KiB fits, 512 x 512 does not
        cl_image_format fmt = new cl_image_format();
        fmt.image_channel_order = CL_RGBA;
        fmt.image_channel_data_type = CL_UNORM_INT8;
        cl_image_desc small = new cl_image_desc();
        small.image_type = CL_MEM_OBJECT_IMAGE2D;
        small.image_width = 128;
        small.image_height = 128;
        cl_mem img = clCreateImage(c.ctx, CL_MEM_READ_WRITE, fmt, small, null, err);
        expectError("image 64 KiB", CL_SUCCESS, err[0]);
        cl_image_desc big = new cl_image_desc();
        big.image_type = CL_MEM_OBJECT_IMAGE2D;
        big.image_width = 512;
        big.image_height = 512;
        cl_mem bigImg = clCreateImage(c.ctx, CL_MEM_READ_WRITE, fmt, big, null, err);
        expectError("image 1 MiB", CL_MEM_OBJECT_ALLOCATION_FAILURE, err[0]);
        check("big image is null", bigImg == null);

        // sub-buffers add nothing, and keep their buffer's memory held after it is released
        cl_mem sub = clCreateSubBuffer(a, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
            new cl_buffer_region(0, 256 * KB), err);
        expectError("sub-buffer", CL_SUCCESS, err[0]);
        expectError("release a (its sub-buffer lives)", CL_SUCCESS, clReleaseMemObject(a));
        clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 256 * KB, null, err);
        expectError("256 KiB while the sub-buffer holds a", CL_MEM_OBJECT_ALLOCATION_FAILURE, err[0]);
        // a retained buffer is not gone after one release
        clRetainMemObject(sub);
        clReleaseMemObject(sub);
        clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 256 * KB, null, err);
        expectError("256 KiB while the sub-buffer is retained", CL_MEM_OBJECT_ALLOCATION_FAILURE, err[0]);
        clReleaseMemObject(sub);
        cl_mem d = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 512 * KB, null, err);
        expectError("512 KiB once a and its sub-buffer are gone", CL_SUCCESS, err[0]);
        // the buffer works: write and read back
        int[] data = {1, 2, 3, 4};
        clEnqueueWriteBuffer(c.queue, d, CL_TRUE, 0, 16, Pointer.to(data), 0, null, null);
        int[] back = new int[4];
        clEnqueueReadBuffer(c.queue, d, CL_TRUE, 0, 16, Pointer.to(back), 0, null, null);
        expect("read back", "[1, 2, 3, 4]", java.util.Arrays.toString(back));
        clReleaseMemObject(d);
        clReleaseMemObject(b);
        clReleaseMemObject(img);

        // objects: the context and queue are 2 of 12
        cl_mem[] small8 = new cl_mem[10];
        int made = 0;
        int last = CL_SUCCESS;
        for (int i = 0; i < small8.length; i++) {
            small8[i] = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 16, null, err);
            last = err[0];
            if (err[0] != CL_SUCCESS) {
                break;
            }
            made++;
        }
        expect("buffers made under the object limit", 10, made);
        clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 16, null, err);
        expectError("one object too many", CL_OUT_OF_RESOURCES, err[0]);
        clReleaseMemObject(small8[0]);
        cl_mem again = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 16, null, err);
        expectError("after a release", CL_SUCCESS, err[0]);
        clReleaseMemObject(again);
        for (int i = 1; i < small8.length; i++) {
            clReleaseMemObject(small8[i]);
        }
        exceptions(true);
        c.close();
        finish("SessionLimits");
    }
}
