package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A blocking write promises that the host memory may be reused as soon as it returns: the
 * program overwrites its array and its direct buffer at once, and the device must still hold
 * what was written. Also a blocking write waiting on an event, and one after a kernel that reads
 * the buffer (the in-order queue keeps them apart).
 */
public class BlockingWriteReuse {

    public static void main(String[] args) {
        Conf c = Conf.open();
        int n = 16;
        cl_mem buf = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, (long) Sizeof.cl_int * n, null, null);

        // 1. an int[] overwritten right after each write; each write lands in its own quarter
        int[] values = new int[4];
        for (int q = 0; q < 4; q++) {
            Arrays.fill(values, 10 * (q + 1));
            clEnqueueWriteBuffer(c.queue, buf, CL_TRUE, (long) Sizeof.cl_int * 4 * q, Sizeof.cl_int * 4L, Pointer.to(values), 0, null, null);
            Arrays.fill(values, -1);
        }
        out("int[] reused after each blocking write: " + Arrays.toString(c.read(buf, n)));

        // 2. a direct buffer refilled after each write, at a byte offset into it
        ByteBuffer direct = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        for (int q = 0; q < 4; q++) {
            for (int i = 0; i < 16; i++) {
                direct.putInt(i * 4, 100 * (q + 1) + i);
            }
            clEnqueueWriteBuffer(c.queue, buf, CL_TRUE, (long) Sizeof.cl_int * 4 * q, Sizeof.cl_int * 4L,
                Pointer.to(direct).withByteOffset(Sizeof.cl_int * 4L * q), 0, null, null);
            for (int i = 0; i < 16; i++) {
                direct.putInt(i * 4, 0);
            }
        }
        out("direct buffer refilled after each blocking write: " + Arrays.toString(c.read(buf, n)));

        // 3. a blocking write that returns an event, waiting on a marker
        cl_event marker = new cl_event();
        clEnqueueMarkerWithWaitList(c.queue, 0, null, marker);
        cl_event written = new cl_event();
        int[] seven = {7, 7, 7, 7};
        clEnqueueWriteBuffer(c.queue, buf, CL_TRUE, 0, Sizeof.cl_int * 4L, Pointer.to(seven), 1, new cl_event[] {marker}, written);
        seven[0] = -7;
        int[] status = new int[1];
        clGetEventInfo(written, CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(status), null);
        expect("the blocking write's event once it returned", CL_COMPLETE, status[0]);
        out("after a blocking write waiting on a marker: " + Arrays.toString(c.read(buf, 4)));

        // 4. many small blocking writes, each read back at the end
        for (int i = 0; i < n; i++) {
            values[0] = i * i;
            clEnqueueWriteBuffer(c.queue, buf, CL_TRUE, (long) Sizeof.cl_int * i, Sizeof.cl_int, Pointer.to(values), 0, null, null);
        }
        out("sixteen one-int blocking writes: " + Arrays.toString(c.read(buf, n)));

        clReleaseEvent(marker);
        clReleaseEvent(written);
        clReleaseMemObject(buf);
        c.close();
        finish("BlockingWriteReuse");
    }
}
