package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_mem;

/**
 * clGetSupportedImageFormats, clCreateImage (2D, RGBA/UNSIGNED_INT8 and RGBA/FLOAT), clCreateImage2D (deprecated),
 * write/read (blocking and not, regions), clGetImageInfo, image errors.
 */
public class Images2D {

    static boolean supported(cl_image_format[] formats, int n, int order, int type) {
        for (int i = 0; i < n; i++) {
            if (formats[i].image_channel_order == order && formats[i].image_channel_data_type == type) {
                return true;
            }
        }
        return false;
    }

    static cl_image_format format(int order, int type) {
        cl_image_format f = new cl_image_format();
        f.image_channel_order = order;
        f.image_channel_data_type = type;
        return f;
    }

    static cl_image_desc desc2d(long w, long h) {
        cl_image_desc d = new cl_image_desc();
        d.image_type = CL_MEM_OBJECT_IMAGE2D;
        d.image_width = w;
        d.image_height = h;
        return d;
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        out("CL_DEVICE_IMAGE_SUPPORT: " + (deviceInt(c.device, CL_DEVICE_IMAGE_SUPPORT) != 0));

        // 1. supported formats
        int[] num = new int[1];
        clGetSupportedImageFormats(c.ctx, CL_MEM_READ_WRITE, CL_MEM_OBJECT_IMAGE2D, 0, null, num);
        check("number of 2D read-write formats > 0", num[0] > 0);
        cl_image_format[] formats = new cl_image_format[num[0]];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = new cl_image_format();
        }
        clGetSupportedImageFormats(c.ctx, CL_MEM_READ_WRITE, CL_MEM_OBJECT_IMAGE2D, num[0], formats, null);
        out("RGBA/FLOAT supported: " + supported(formats, num[0], CL_RGBA, CL_FLOAT));
        out("RGBA/UNSIGNED_INT8 supported: " + supported(formats, num[0], CL_RGBA, CL_UNSIGNED_INT8));
        out("RGBA/UNORM_INT8 supported: " + supported(formats, num[0], CL_RGBA, CL_UNORM_INT8));
        out("R/FLOAT supported: " + supported(formats, num[0], CL_R, CL_FLOAT));

        // 2. an RGBA8 image: write all, read all, read a region
        int w = 8;
        int h = 4;
        byte[] pixels = new byte[w * h * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 3);
        }
        cl_mem img = clCreateImage(c.ctx, CL_MEM_READ_WRITE, format(CL_RGBA, CL_UNSIGNED_INT8), desc2d(w, h), null, null);
        clEnqueueWriteImage(c.queue, img, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, 1}, 0, 0, Pointer.to(pixels), 0, null, null);
        byte[] back = new byte[pixels.length];
        clEnqueueReadImage(c.queue, img, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, 1}, 0, 0, Pointer.to(back), 0, null, null);
        check("RGBA8 image round trip", Arrays.equals(pixels, back));
        byte[] region = new byte[2 * 2 * 4];
        clEnqueueReadImage(c.queue, img, CL_TRUE, new long[] {3, 1, 0}, new long[] {2, 2, 1}, 0, 0, Pointer.to(region), 0, null, null);
        out("2x2 region at (3,1): " + Arrays.toString(region));

        // 3. image info
        expect("CL_IMAGE_WIDTH", (long) w, imageSize(img, CL_IMAGE_WIDTH));
        expect("CL_IMAGE_HEIGHT", (long) h, imageSize(img, CL_IMAGE_HEIGHT));
        expect("CL_IMAGE_DEPTH", 0L, imageSize(img, CL_IMAGE_DEPTH));
        expect("CL_IMAGE_ELEMENT_SIZE", 4L, imageSize(img, CL_IMAGE_ELEMENT_SIZE));
        long rowPitch = imageSize(img, CL_IMAGE_ROW_PITCH);
        check("CL_IMAGE_ROW_PITCH >= width * element size", rowPitch >= w * 4L);
        int[] got = new int[2];
        clGetImageInfo(img, CL_IMAGE_FORMAT, 8, Pointer.to(got), null);
        out("CL_IMAGE_FORMAT: " + stringFor_cl_channel_order(got[0]) + " " + stringFor_cl_channel_type(got[1]));
        int[] type = new int[1];
        clGetMemObjectInfo(img, CL_MEM_TYPE, Sizeof.cl_int, Pointer.to(type), null);
        out("CL_MEM_TYPE: " + stringFor_cl_mem_object_type(type[0]));
        expect("CL_MEM_SIZE >= w*h*4", true, memSize(img, CL_MEM_SIZE) >= w * h * 4L);

        // 4. an RGBA float image via the deprecated clCreateImage2D with a host pointer; non-blocking read by event
        float[] fl = new float[4 * 4 * 4];
        for (int i = 0; i < fl.length; i++) {
            fl[i] = i * 0.5f;
        }
        cl_mem fimg = clCreateImage2D(c.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, new cl_image_format[] {format(CL_RGBA, CL_FLOAT)}, 4, 4,
            0, Pointer.to(fl), null);
        ByteBuffer fb = direct(fl.length * 4);
        cl_event re = new cl_event();
        clEnqueueReadImage(c.queue, fimg, CL_FALSE, new long[] {0, 0, 0}, new long[] {4, 4, 1}, 0, 0, Pointer.to(fb), 0, null, re);
        clWaitForEvents(1, new cl_event[] {re});
        out("float image, pixel (1,2): " + fb.getFloat(((2 * 4) + 1) * 16) + " " + fb.getFloat(((2 * 4) + 1) * 16 + 12));
        expect("read image event command type", "CL_COMMAND_READ_IMAGE", stringFor_cl_command_type(eventInt(re, CL_EVENT_COMMAND_TYPE)));
        // a write with an explicit host row pitch (6 pixels wide host rows)
        float[] padded = new float[6 * 4 * 2];
        Arrays.fill(padded, 9f);
        cl_mem fimg2 = clCreateImage(c.ctx, CL_MEM_READ_WRITE, format(CL_RGBA, CL_FLOAT), desc2d(4, 2), null, null);
        clEnqueueWriteImage(c.queue, fimg2, CL_TRUE, new long[] {0, 0, 0}, new long[] {4, 2, 1}, 6 * 16, 0, Pointer.to(padded), 0, null, null);
        float[] fback = new float[4 * 4 * 2];
        clEnqueueReadImage(c.queue, fimg2, CL_TRUE, new long[] {0, 0, 0}, new long[] {4, 2, 1}, 0, 0, Pointer.to(fback), 0, null, null);
        out("write with host row pitch: all 9.0 " + allEqual(fback, 9f));

        // 5. errors
        out("image width 0 (exceptions on): " + thrown(() -> clCreateImage(c.ctx, CL_MEM_READ_WRITE, format(CL_RGBA, CL_FLOAT),
            desc2d(0, 4), null, null)));
        out("unsupported format RGBA/UNORM_SHORT_565 (exceptions on): " + thrown(() -> clCreateImage(c.ctx, CL_MEM_READ_WRITE,
            format(CL_RGBA, CL_UNORM_SHORT_565), desc2d(4, 4), null, null)));
        out("read image region past the edge (exceptions on): " + thrown(() -> clEnqueueReadImage(c.queue, img, CL_TRUE,
            new long[] {6, 0, 0}, new long[] {4, 1, 1}, 0, 0, Pointer.to(new byte[64]), 0, null, null)));
        out("2D read with depth 2 (exceptions on): " + thrown(() -> clEnqueueReadImage(c.queue, img, CL_TRUE,
            new long[] {0, 0, 0}, new long[] {1, 1, 2}, 0, 0, Pointer.to(new byte[64]), 0, null, null)));
        exceptions(false);
        int[] err = new int[1];
        clCreateImage(c.ctx, CL_MEM_READ_WRITE, format(CL_RGBA, CL_FLOAT), desc2d(0, 4), null, err);
        out("image width 0 (exceptions off): " + stringFor_errorCode(err[0]));
        cl_mem plain = c.ints(1);
        // the spec says CL_INVALID_MEM_OBJECT; PoCL 3.1 answers CL_SUCCESS
        out("clGetImageInfo on a buffer (exceptions off): " + stringFor_errorCode(clGetImageInfo(plain, CL_IMAGE_WIDTH, 8,
            Pointer.to(new long[1]), null)));
        clReleaseMemObject(plain);
        exceptions(true);

        clReleaseEvent(re);
        release(img, fimg, fimg2);
        c.close();
        finish("Images2D");
    }

    static boolean allEqual(float[] a, float v) {
        for (float x : a) {
            if (x != v) {
                return false;
            }
        }
        return true;
    }
}
