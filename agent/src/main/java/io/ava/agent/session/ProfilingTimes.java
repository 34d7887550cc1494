package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.proto.EventTimes;
import io.ava.proto.Reply;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Profiling times of completed events, sent with clWaitForEvents' reply (the server's WaitedEventTimes): they no
 * longer change, so clGetEventProfilingInfo on such an event is answered here, without a round trip. Anything
 * else (another parameter, a value too small, an event never waited for) goes to the server as before.
 */
final class ProfilingTimes {
    private static final int QUEUED = 0x1280;
    private static final int CL_SUCCESS = 0;

    private final Map<Long, long[]> byEvent = new ConcurrentHashMap<>();

    void record(Reply reply) {
        for (EventTimes t : reply.getEventTimesList()) {
            long[] times = new long[t.getTimesCount()];
            for (int k = 0; k < times.length; k++) {
                times[k] = t.getTimes(k);
            }
            byEvent.put(t.getEvent(), times);
        }
    }

    /** The client released the event: its id names nothing any more (ids are never used again). */
    void forget(Object event) {
        if (!byEvent.isEmpty() && event instanceof NativePointerObject e) {
            byEvent.remove(Jocl.id(e));
        }
    }

    /**
     * clGetEventProfilingInfo(event, param, size, value, size_ret) answered from the times kept, or null when the
     * server must answer.
     */
    Object answer(Object[] args) {
        if (byEvent.isEmpty() || !(args[0] instanceof NativePointerObject e)) {
            return null;
        }
        long[] times = byEvent.get(Jocl.id(e));
        int param = (Integer) args[1];
        if (times == null || param < QUEUED || param - QUEUED >= times.length) {
            return null;
        }
        HostMemory.Region value = HostMemory.resolve((Pointer) args[3]);
        long[] sizeRet = (long[]) args[4];
        if (value == null && (args[3] != null || sizeRet == null)) {
            return null; // a pointer to objects, or nothing asked: the server answers as the driver would
        }
        if (value != null) {
            if ((Long) args[2] < 8 || value.available() < 8) {
                return null; // CL_INVALID_VALUE, or JOCL's own complaint: the server's answer
            }
            value.writeLong(0, times[param - QUEUED]);
        }
        if (sizeRet != null && sizeRet.length > 0) {
            sizeRet[0] = 8;
        }
        return CL_SUCCESS;
    }
}
