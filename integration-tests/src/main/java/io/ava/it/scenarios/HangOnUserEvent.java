package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A session that hangs: a read gated on a user event nobody sets, then clWaitForEvents on it, so a
 * server thread of this session blocks for good. Prints "hanging" first. Used to show that other
 * sessions carry on and that killing this client still frees everything.
 */
public class HangOnUserEvent {
    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_mem buf = c.ints(1, 2, 3, 4);
        cl_mem big = clCreateBuffer(c.ctx, CL_MEM_READ_WRITE, 4 << 20, null, null);
        cl_event gate = clCreateUserEvent(c.ctx, null);
        cl_event read = new cl_event();
        java.nio.ByteBuffer target = java.nio.ByteBuffer.allocateDirect(16);
        clEnqueueReadBuffer(c.queue, buf, CL_FALSE, 0, 16, Pointer.to(target), 1, new cl_event[] {gate}, read);
        out("hanging");
        clWaitForEvents(1, new cl_event[] {read});
        out("never printed: " + big);
    }
}
