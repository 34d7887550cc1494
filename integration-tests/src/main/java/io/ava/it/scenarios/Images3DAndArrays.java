package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_mem;

/**
 * A 3D image (clCreateImage and the deprecated clCreateImage3D), a 2D image array, a 1D image and a 1D image
 * buffer: write the whole, read one slice / layer, image info (depth, array size, slice pitch).
 */
public class Images3DAndArrays {

    static cl_image_format rgbaFloat() {
        cl_image_format f = new cl_image_format();
        f.image_channel_order = CL_RGBA;
        f.image_channel_data_type = CL_FLOAT;
        return f;
    }

    static cl_image_format rInt() {
        cl_image_format f = new cl_image_format();
        f.image_channel_order = CL_R;
        f.image_channel_data_type = CL_SIGNED_INT32;
        return f;
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        int w = 4;
        int h = 3;
        int d = 5;
        int[] data = iota(w * h * d, 0);

        // 1. a 3D R/INT32 image
        cl_image_desc desc = new cl_image_desc();
        desc.image_type = CL_MEM_OBJECT_IMAGE3D;
        desc.image_width = w;
        desc.image_height = h;
        desc.image_depth = d;
        int[] err = new int[1];
        exceptions(false);
        cl_mem img3 = clCreateImage(c.ctx, CL_MEM_READ_WRITE, rInt(), desc, null, err);
        exceptions(true);
        out("3D image R/SIGNED_INT32: " + stringFor_errorCode(err[0]));
        if (img3 != null && err[0] == CL_SUCCESS) {
            clEnqueueWriteImage(c.queue, img3, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, d}, 0, 0, Pointer.to(data), 0, null, null);
            int[] slice = new int[w * h];
            clEnqueueReadImage(c.queue, img3, CL_TRUE, new long[] {0, 0, 2}, new long[] {w, h, 1}, 0, 0, Pointer.to(slice), 0, null, null);
            out("3D slice z=2: " + Arrays.toString(slice));
            check("3D slice z=2", slice[0] == 2 * w * h && slice[w * h - 1] == 3 * w * h - 1);
            int[] column = new int[d];
            clEnqueueReadImage(c.queue, img3, CL_TRUE, new long[] {1, 2, 0}, new long[] {1, 1, d}, 0, 0, Pointer.to(column), 0, null, null);
            out("3D column at (1,2): " + Arrays.toString(column));
            expect("CL_IMAGE_DEPTH", (long) d, imageSize(img3, CL_IMAGE_DEPTH));
            check("CL_IMAGE_SLICE_PITCH >= row pitch * height", imageSize(img3, CL_IMAGE_SLICE_PITCH) >= imageSize(img3, CL_IMAGE_ROW_PITCH) * h);
            clReleaseMemObject(img3);
        }

        // 2. the deprecated clCreateImage3D, RGBA float, with COPY_HOST_PTR
        float[] fl = new float[2 * 2 * 2 * 4];
        for (int i = 0; i < fl.length; i++) {
            fl[i] = i;
        }
        exceptions(false);
        cl_mem old3 = clCreateImage3D(c.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, new cl_image_format[] {rgbaFloat()}, 2, 2, 2, 0, 0,
            Pointer.to(fl), err);
        exceptions(true);
        out("clCreateImage3D RGBA/FLOAT: " + stringFor_errorCode(err[0]));
        if (old3 != null && err[0] == CL_SUCCESS) {
            float[] px = new float[4];
            clEnqueueReadImage(c.queue, old3, CL_TRUE, new long[] {1, 1, 1}, new long[] {1, 1, 1}, 0, 0, Pointer.to(px), 0, null, null);
            out("clCreateImage3D pixel (1,1,1): " + Arrays.toString(px));
            clReleaseMemObject(old3);
        }

        // 3. a 2D image array: layer 3
        cl_image_desc adesc = new cl_image_desc();
        adesc.image_type = CL_MEM_OBJECT_IMAGE2D_ARRAY;
        adesc.image_width = w;
        adesc.image_height = h;
        adesc.image_array_size = d;
        exceptions(false);
        cl_mem arr = clCreateImage(c.ctx, CL_MEM_READ_WRITE, rInt(), adesc, null, err);
        exceptions(true);
        out("2D image array: " + stringFor_errorCode(err[0]));
        if (arr != null && err[0] == CL_SUCCESS) {
            clEnqueueWriteImage(c.queue, arr, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, d}, 0, 0, Pointer.to(data), 0, null, null);
            int[] layer = new int[w * h];
            clEnqueueReadImage(c.queue, arr, CL_TRUE, new long[] {0, 0, 3}, new long[] {w, h, 1}, 0, 0, Pointer.to(layer), 0, null, null);
            out("array layer 3: " + Arrays.toString(layer));
            expect("CL_IMAGE_ARRAY_SIZE", (long) d, imageSize(arr, CL_IMAGE_ARRAY_SIZE));
            clReleaseMemObject(arr);
        }

        // 4. a 1D image and a 1D image buffer
        cl_image_desc d1 = new cl_image_desc();
        d1.image_type = CL_MEM_OBJECT_IMAGE1D;
        d1.image_width = 16;
        exceptions(false);
        cl_mem img1 = clCreateImage(c.ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, rInt(), d1, Pointer.to(iota(16, 100)), err);
        exceptions(true);
        out("1D image: " + stringFor_errorCode(err[0]));
        if (img1 != null && err[0] == CL_SUCCESS) {
            int[] part = new int[4];
            clEnqueueReadImage(c.queue, img1, CL_TRUE, new long[] {10, 0, 0}, new long[] {4, 1, 1}, 0, 0, Pointer.to(part), 0, null, null);
            out("1D image [10..13]: " + Arrays.toString(part));
            clReleaseMemObject(img1);
        }
        cl_mem backing = c.ints(iota(16, 200));
        cl_image_desc db = new cl_image_desc();
        db.image_type = CL_MEM_OBJECT_IMAGE1D_BUFFER;
        db.image_width = 16;
        db.buffer = backing;
        exceptions(false);
        cl_mem ib = clCreateImage(c.ctx, CL_MEM_READ_WRITE, rInt(), db, null, err);
        exceptions(true);
        out("1D image buffer: " + stringFor_errorCode(err[0]));
        if (ib != null && err[0] == CL_SUCCESS) {
            int[] part = new int[4];
            clEnqueueReadImage(c.queue, ib, CL_TRUE, new long[] {4, 0, 0}, new long[] {4, 1, 1}, 0, 0, Pointer.to(part), 0, null, null);
            out("1D image buffer [4..7]: " + Arrays.toString(part));
            cl_mem assoc = new cl_mem();
            clGetImageInfo(ib, CL_IMAGE_BUFFER, org.jocl.Sizeof.cl_mem, Pointer.to(assoc), null);
            check("CL_IMAGE_BUFFER equals the backing buffer", backing.equals(assoc));
            clReleaseMemObject(ib);
        }
        clReleaseMemObject(backing);

        // 5. errors: a 3D image deeper than the device maximum
        long max3d = deviceSize(c.device, CL_DEVICE_IMAGE3D_MAX_DEPTH);
        cl_image_desc big = new cl_image_desc();
        big.image_type = CL_MEM_OBJECT_IMAGE3D;
        big.image_width = 2;
        big.image_height = 2;
        big.image_depth = max3d + 1;
        out("3D image deeper than CL_DEVICE_IMAGE3D_MAX_DEPTH (exceptions on): " + thrown(() -> clCreateImage(c.ctx, CL_MEM_READ_WRITE, rInt(),
            big, null, null)));

        c.close();
        finish("Images3DAndArrays");
    }
}
