package io.ava.server.dispatch;

import io.ava.proto.Call;
import io.ava.proto.EventTimes;
import io.ava.proto.Reply;
import io.ava.spec.FunctionSpec;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_event;

import java.util.List;

/**
 * After clWaitForEvents: the profiling times of the events waited for go with the reply. They no longer change
 * once an event is complete, and programs that time their kernels ask for them right after the wait (two
 * queries per event, each a round trip otherwise); the agent answers those queries itself.
 */
final class WaitedEventTimes {
    private static final int QUEUED = 0x1280;
    private static final int COMPLETE = 0x1284;
    /** START and END at least: fewer means the queue has no profiling */
    private static final int MINIMUM = 4;

    private WaitedEventTimes() {
    }

    static void attach(FunctionSpec f, Call call, Object[] args, Reply.Builder reply) {
        if (!(args[1] instanceof cl_event[] events)) {
            return;
        }
        List<Long> ids = call.getArgs(f.slot(1)).getLongs().getValuesList();
        long[] value = new long[1];
        Pointer to = Pointer.to(value);
        for (int k = 0; k < Math.min(events.length, ids.size()); k++) {
            if (events[k] == null || events[k].getNativePointer() == 0) {
                continue;
            }
            EventTimes.Builder times = EventTimes.newBuilder().setEvent(ids.get(k));
            for (int param = QUEUED; param <= COMPLETE; param++) {
                if (CL.clGetEventProfilingInfo(events[k], param, 8, to, null) != CL.CL_SUCCESS) {
                    break; // no profiling (or no COMPLETE on an OpenCL 1.2 device)
                }
                times.addTimes(value[0]);
            }
            if (times.getTimesCount() >= MINIMUM) {
                reply.addEventTimes(times);
            }
        }
    }
}
