package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_mem;

/** clEnqueueCopyImage, clEnqueueFillImage (int and float colours), clEnqueueCopyImageToBuffer, clEnqueueCopyBufferToImage. */
public class ImageCopyFill {

    static cl_mem image(Conf c, int order, int type, int w, int h) {
        cl_image_format f = new cl_image_format();
        f.image_channel_order = order;
        f.image_channel_data_type = type;
        cl_image_desc d = new cl_image_desc();
        d.image_type = CL_MEM_OBJECT_IMAGE2D;
        d.image_width = w;
        d.image_height = h;
        return clCreateImage(c.ctx, CL_MEM_READ_WRITE, f, d, null, null);
    }

    static String rows(int[] a, int w, int h) {
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < h; y++) {
            sb.append(y == 0 ? "" : " / ").append(Arrays.toString(Arrays.copyOfRange(a, y * w, y * w + w)));
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        int w = 6;
        int h = 4;
        long[] origin = {0, 0, 0};
        long[] whole = {w, h, 1};

        // 1. fill an R/INT32 image with an int colour, then a region with another
        cl_mem a = image(c, CL_R, CL_SIGNED_INT32, w, h);
        clEnqueueFillImage(c.queue, a, Pointer.to(new int[] {7, 0, 0, 0}), origin, whole, 0, null, null);
        cl_event fe = new cl_event();
        clEnqueueFillImage(c.queue, a, Pointer.to(new int[] {-3, 0, 0, 0}), new long[] {2, 1, 0}, new long[] {3, 2, 1}, 0, null, fe);
        clWaitForEvents(1, new cl_event[] {fe});
        expect("fill image event command type", "CL_COMMAND_FILL_IMAGE", stringFor_cl_command_type(eventInt(fe, CL_EVENT_COMMAND_TYPE)));
        int[] px = new int[w * h];
        clEnqueueReadImage(c.queue, a, CL_TRUE, origin, whole, 0, 0, Pointer.to(px), 0, null, null);
        out("after two fills: " + rows(px, w, h));

        // 2. fill an RGBA/FLOAT image with a float colour
        cl_mem f = image(c, CL_RGBA, CL_FLOAT, 2, 2);
        clEnqueueFillImage(c.queue, f, Pointer.to(new float[] {0.25f, 0.5f, 0.75f, 1f}), origin, new long[] {2, 2, 1}, 0, null, null);
        float[] fp = new float[16];
        clEnqueueReadImage(c.queue, f, CL_TRUE, origin, new long[] {2, 2, 1}, 0, 0, Pointer.to(fp), 0, null, null);
        out("float fill, pixel (1,1): " + Arrays.toString(Arrays.copyOfRange(fp, 12, 16)));

        // 3. copy a region of a into b at an offset
        cl_mem b = image(c, CL_R, CL_SIGNED_INT32, w, h);
        clEnqueueFillImage(c.queue, b, Pointer.to(new int[] {0, 0, 0, 0}), origin, whole, 0, null, null);
        cl_event ce = new cl_event();
        clEnqueueCopyImage(c.queue, a, b, new long[] {1, 1, 0}, new long[] {0, 2, 0}, new long[] {4, 2, 1}, 0, null, ce);
        clWaitForEvents(1, new cl_event[] {ce});
        clEnqueueReadImage(c.queue, b, CL_TRUE, origin, whole, 0, 0, Pointer.to(px), 0, null, null);
        out("after CopyImage (1,1)+4x2 -> (0,2): " + rows(px, w, h));

        // 4. image -> buffer at an offset
        cl_mem buf = c.ints(new int[w * h + 4]);
        clEnqueueCopyImageToBuffer(c.queue, a, buf, new long[] {0, 1, 0}, new long[] {w, 2, 1}, 16, 0, null, null);
        int[] br = c.read(buf, w * h + 4);
        out("after CopyImageToBuffer rows 1..2 -> offset 16 bytes: " + Arrays.toString(Arrays.copyOf(br, 4 + 2 * w)));

        // 5. buffer -> image
        cl_mem src = c.ints(iota(w * h, 50));
        cl_event be = new cl_event();
        clEnqueueCopyBufferToImage(c.queue, src, b, 4 * 2, new long[] {2, 0, 0}, new long[] {3, 3, 1}, 0, null, be);
        clWaitForEvents(1, new cl_event[] {be});
        expect("buffer-to-image event command type", "CL_COMMAND_COPY_BUFFER_TO_IMAGE", stringFor_cl_command_type(eventInt(be,
            CL_EVENT_COMMAND_TYPE)));
        clEnqueueReadImage(c.queue, b, CL_TRUE, origin, whole, 0, 0, Pointer.to(px), 0, null, null);
        out("after CopyBufferToImage (offset 2 ints) -> (2,0) 3x3: " + rows(px, w, h));

        // 6. errors: copying between images of different formats, copy past the edge
        out("CopyImage between different formats (exceptions on): " + thrown(() -> clEnqueueCopyImage(c.queue, a, f, origin, origin,
            new long[] {1, 1, 1}, 0, null, null)));
        // (a CopyImage region past the source's edge is left out: PoCL 3.1 accepts it without an error and copies out of bounds)
        out("CopyImageToBuffer past the buffer's end (exceptions on): " + thrown(() -> clEnqueueCopyImageToBuffer(c.queue, a, buf,
            origin, whole, 64, 0, null, null)));

        release(fe, ce, be);
        release(a, b, f, buf, src);
        c.close();
        finish("ImageCopyFill");
    }
}
