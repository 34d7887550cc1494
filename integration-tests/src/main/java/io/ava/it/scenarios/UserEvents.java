package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/** User events: create, info, set complete, set a negative error and what that does to the commands behind it. */
public class UserEvents {

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_mem buf = c.ints(1, 2, 3, 4);

        // 1. info of a fresh user event
        cl_event u = clCreateUserEvent(c.ctx, null);
        expect("command type", "CL_COMMAND_USER", stringFor_cl_command_type(eventInt(u, CL_EVENT_COMMAND_TYPE)));
        expect("status before set", "CL_SUBMITTED", status(u));
        expect("reference count", 1, eventInt(u, CL_EVENT_REFERENCE_COUNT));
        cl_context ectx = new cl_context();
        clGetEventInfo(u, CL_EVENT_CONTEXT, Sizeof.cl_context, Pointer.to(ectx), null);
        check("CL_EVENT_CONTEXT equals the context", c.ctx.equals(ectx));
        long[] qsize = new long[1];
        clGetEventInfo(u, CL_EVENT_COMMAND_QUEUE, 0, null, qsize);
        expect("CL_EVENT_COMMAND_QUEUE size", (long) Sizeof.cl_command_queue, qsize[0]);
        org.jocl.cl_command_queue q = new org.jocl.cl_command_queue();
        clGetEventInfo(u, CL_EVENT_COMMAND_QUEUE, Sizeof.cl_command_queue, Pointer.to(q), null);
        check("CL_EVENT_COMMAND_QUEUE of a user event is null", q.equals(new org.jocl.cl_command_queue()));

        // 2. set complete releases a dependent write
        cl_event w = new cl_event();
        clEnqueueWriteBuffer(c.queue, buf, CL_FALSE, 0, 4, Pointer.to(direct(4).putInt(0, 100)), 1, new cl_event[] {u}, w);
        clFlush(c.queue);
        sleep(50);
        out("dependent write before set: " + status(w).equals("CL_COMPLETE"));
        clSetUserEventStatus(u, CL_COMPLETE);
        clWaitForEvents(1, new cl_event[] {w});
        expect("user event after set", "CL_COMPLETE", status(u));
        expect("dependent write after set", "CL_COMPLETE", status(w));
        out("buffer: " + Arrays.toString(c.read(buf, 4)));

        // 3. setting it twice is an error
        out("set status twice (exceptions on): " + thrown(() -> clSetUserEventStatus(u, CL_COMPLETE)));
        exceptions(false);
        expectError("set status twice (exceptions off)", CL_INVALID_OPERATION, clSetUserEventStatus(u, CL_COMPLETE));
        exceptions(true);
        // an invalid execution status
        cl_event bad = clCreateUserEvent(c.ctx, null);
        out("set status CL_RUNNING (exceptions on): " + thrown(() -> clSetUserEventStatus(bad, CL_RUNNING)));
        clSetUserEventStatus(bad, CL_COMPLETE);

        // 4. a negative status: the user event reports it, dependent commands are terminated
        cl_mem buf2 = c.ints(7, 7, 7, 7);
        org.jocl.cl_command_queue q2 = c.newQueue(0);
        cl_event neg = clCreateUserEvent(c.ctx, null);
        cl_event dep = new cl_event();
        clEnqueueWriteBuffer(q2, buf2, CL_FALSE, 0, 4, Pointer.to(direct(4).putInt(0, -9)), 1, new cl_event[] {neg}, dep);
        clFlush(q2);
        clSetUserEventStatus(neg, -1234);
        expect("user event status after a negative set", -1234, eventInt(neg, CL_EVENT_COMMAND_EXECUTION_STATUS));
        exceptions(false);
        int rc = clWaitForEvents(1, new cl_event[] {dep});
        out("clWaitForEvents on the dependent command: " + stringFor_errorCode(rc));
        int depStatus = eventInt(dep, CL_EVENT_COMMAND_EXECUTION_STATUS);
        out("dependent command status: " + (depStatus < 0 ? "negative (" + depStatus + ")" : stringFor_command_execution_status(depStatus)));
        exceptions(true);
        out("clWaitForEvents on the dependent command (exceptions on): " + thrown(() -> clWaitForEvents(1, new cl_event[] {dep})));
        out("clWaitForEvents on the failed user event (exceptions on): " + thrown(() -> clWaitForEvents(1, new cl_event[] {neg})));

        // 5. a user event from another context in a wait list
        cl_context other = clCreateContext(null, 1, new org.jocl.cl_device_id[] {c.device}, null, null, null);
        cl_event foreign = clCreateUserEvent(other, null);
        out("wait list with another context's user event (exceptions on): " + thrown(() -> clEnqueueMarkerWithWaitList(c.queue, 1,
            new cl_event[] {foreign}, null)));
        clSetUserEventStatus(foreign, CL_COMPLETE);

        // 6. retain/release
        clRetainEvent(u);
        expect("reference count after retain", 2, eventInt(u, CL_EVENT_REFERENCE_COUNT));
        clReleaseEvent(u);
        expect("reference count after release", 1, eventInt(u, CL_EVENT_REFERENCE_COUNT));

        // 7. creating one on the null context
        out("clCreateUserEvent(null context) (exceptions on): " + thrown(() -> clCreateUserEvent(new cl_context(), null)));

        release(u, w, bad, neg, dep, foreign);
        release(buf, buf2);
        clReleaseCommandQueue(q2);
        clReleaseContext(other);
        c.close();
        finish("UserEvents");
    }
}
