package io.ava.server.migration;

import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;

/**
 * Finishes every queue of a session, with a deadline: a queue can wait forever on a user event
 * that only the (now paused) application would set, and clFinish would then never return. A
 * marker per queue is polled instead, so such a migration fails instead of hanging.
 */
final class QueueDrain {
    private QueueDrain() {
    }

    static void finish(HandleTable table, long timeoutMillis, java.util.function.Consumer<cl_event> keepUntilClose)
            throws MigrationException {
        List<cl_event> markers = new ArrayList<>();
        List<HandleEntry> queues = new ArrayList<>();
        for (HandleEntry q : table.all(HandleType.cl_command_queue)) {
            if (table.clientReferences(q) == 0) {
                continue;
            }
            cl_event marker = new cl_event();
            int rc = CL.clEnqueueMarkerWithWaitList((cl_command_queue) q.object(), 0, null, marker);
            CL.clFlush((cl_command_queue) q.object());
            if (rc == CL.CL_SUCCESS) {
                markers.add(marker);
                queues.add(q);
            }
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int done = 0;
        try {
            for (int i = 0; i < markers.size(); i++) {
                int[] status = new int[1];
                while (true) {
                    CL.clGetEventInfo(markers.get(i), CL.CL_EVENT_COMMAND_EXECUTION_STATUS, 4, Pointer.to(status), null);
                    if (status[0] <= CL.CL_COMPLETE) {
                        break;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new MigrationException("queue " + queues.get(i).id() + " did not finish within "
                                + timeoutMillis / 1000 + " s (a command waits for a user event the application has not set)");
                    }
                    Thread.sleep(1);
                }
                done++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted");
        } finally {
            for (int i = 0; i < markers.size(); i++) {
                if (i < done) {
                    CL.clReleaseEvent(markers.get(i));
                } else {
                    // PoCL fails if a released marker is still pending when its wait list fails later
                    keepUntilClose.accept(markers.get(i));
                }
            }
        }
        for (HandleEntry q : queues) {
            CL.clFinish((cl_command_queue) q.object()); // returns at once now; orders what the driver still tidies
        }
    }
}
