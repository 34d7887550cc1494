package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Rectangular buffer transfers: clEnqueueWriteBufferRect / clEnqueueReadBufferRect (blocking with arrays, non-blocking
 * with direct buffers), clEnqueueCopyBufferRect, and a rect error.
 */
public class NonBlockingRectAndImageTransfers {

    static String grid(int[] a, int w, int h) {
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < h; y++) {
            sb.append(y == 0 ? "" : " / ").append(Arrays.toString(Arrays.copyOfRange(a, y * w, y * w + w)));
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        int w = 8;
        int h = 6;
        long rowPitch = w * 4L;
        cl_mem buf = c.ints(new int[w * h]);

        // 1. blocking WriteBufferRect: a 3x2 block (ints) from a 4-int-wide host array into (2,1)
        int[] host = {11, 12, 13, 0, 21, 22, 23, 0};
        clEnqueueWriteBufferRect(c.queue, buf, CL_TRUE, new long[] {2 * 4, 1, 0}, new long[] {0, 0, 0}, new long[] {3 * 4, 2, 1},
            rowPitch, 0, 4 * 4, 0, Pointer.to(host), 0, null, null);
        out("after blocking WriteBufferRect: " + grid(c.read(buf, w * h), w, h));

        // 2. blocking ReadBufferRect of a 4x3 block at (1,0) into a 5-wide host array at (1,1)
        int[] back = new int[5 * 4];
        clEnqueueReadBufferRect(c.queue, buf, CL_TRUE, new long[] {1 * 4, 0, 0}, new long[] {4, 1, 0}, new long[] {4 * 4, 3, 1},
            rowPitch, 0, 5 * 4, 0, Pointer.to(back), 0, null, null);
        out("blocking ReadBufferRect into a 5x4 host grid: " + grid(back, 5, 4));
        check("rect read placement", back[1 * 5 + 1 + 1] == 0 && back[2 * 5 + 1 + 1] == 11 && back[3 * 5 + 1 + 3] == 23);

        // 3. non-blocking WriteBufferRect from a direct buffer, then non-blocking ReadBufferRect, waited by event
        ByteBuffer src = direct(2 * 2 * 4);
        src.putInt(0, 91).putInt(4, 92).putInt(8, 93).putInt(12, 94);
        cl_event we = new cl_event();
        clEnqueueWriteBufferRect(c.queue, buf, CL_FALSE, new long[] {6 * 4, 4, 0}, new long[] {0, 0, 0}, new long[] {2 * 4, 2, 1},
            rowPitch, 0, 2 * 4, 0, Pointer.to(src), 0, null, we);
        ByteBuffer dst = direct(3 * 3 * 4);
        cl_event re = new cl_event();
        clEnqueueReadBufferRect(c.queue, buf, CL_FALSE, new long[] {5 * 4, 3, 0}, new long[] {0, 0, 0}, new long[] {3 * 4, 3, 1},
            rowPitch, 0, 3 * 4, 0, Pointer.to(dst), 1, new cl_event[] {we}, re);
        clWaitForEvents(1, new cl_event[] {re});
        out("non-blocking rect write/read, 3x3 at (5,3): " + grid(ints(dst, 9), 3, 3));
        check("non-blocking rect data", dst.getInt((1 * 3 + 1) * 4) == 91 && dst.getInt((2 * 3 + 2) * 4) == 94);

        // 4. CopyBufferRect between buffers with different pitches
        int w2 = 4;
        cl_mem small = c.ints(new int[w2 * 4]);
        clEnqueueCopyBufferRect(c.queue, buf, small, new long[] {2 * 4, 1, 0}, new long[] {1 * 4, 1, 0}, new long[] {3 * 4, 2, 1},
            rowPitch, 0, w2 * 4L, 0, 0, null, null);
        out("after CopyBufferRect into a 4x4 buffer: " + grid(c.read(small, w2 * 4), w2, 4));

        // 5. a non-blocking copy rect with an event, then a 3D (two-slice) rect read
        cl_event ce = new cl_event();
        clEnqueueCopyBufferRect(c.queue, small, buf, new long[] {0, 0, 0}, new long[] {0, 0, 0}, new long[] {4 * 4, 2, 2},
            4 * 4, 4 * 4 * 2, rowPitch, rowPitch * 2, 0, null, ce);
        clWaitForEvents(1, new cl_event[] {ce});
        int[] slices = new int[4 * 2 * 2];
        clEnqueueReadBufferRect(c.queue, buf, CL_TRUE, new long[] {0, 0, 0}, new long[] {0, 0, 0}, new long[] {4 * 4, 2, 2},
            rowPitch, rowPitch * 2, 4 * 4, 4 * 4 * 2, Pointer.to(slices), 0, null, null);
        out("two-slice rect read after copy: " + grid(slices, 4, 4));

        // 6. errors: region past the end, row pitch smaller than the region
        out("ReadBufferRect past the end (exceptions on): " + thrown(() -> clEnqueueReadBufferRect(c.queue, buf, CL_TRUE,
            new long[] {0, 5, 0}, new long[] {0, 0, 0}, new long[] {4 * 4, 3, 1}, rowPitch, 0, 16, 0, Pointer.to(new int[64]), 0, null, null)));
        exceptions(false);
        expectError("ReadBufferRect past the end (exceptions off)", CL_INVALID_VALUE, clEnqueueReadBufferRect(c.queue, buf, CL_TRUE,
            new long[] {0, 5, 0}, new long[] {0, 0, 0}, new long[] {4 * 4, 3, 1}, rowPitch, 0, 16, 0, Pointer.to(new int[64]), 0, null, null));
        int rc = clEnqueueWriteBufferRect(c.queue, buf, CL_TRUE, new long[] {0, 0, 0}, new long[] {0, 0, 0}, new long[] {4 * 4, 2, 1},
            8, 0, 16, 0, Pointer.to(new int[16]), 0, null, null);
        expectError("WriteBufferRect with buffer row pitch < region width", CL_INVALID_VALUE, rc);
        exceptions(true);

        release(we, re, ce);
        release(buf, small);
        c.close();
        finish("NonBlockingRectAndImageTransfers");
    }
}
