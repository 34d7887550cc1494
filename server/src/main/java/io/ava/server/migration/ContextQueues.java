package io.ava.server.migration;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;

import java.util.HashMap;
import java.util.Map;

/**
 * The migration's own in-order queues, one per context, to read and write contents without
 * touching the application's queues (whose properties and order are the application's).
 */
final class ContextQueues implements AutoCloseable {
    private final Map<Long, cl_command_queue> queues = new HashMap<>();

    cl_command_queue forMem(cl_mem mem) throws MigrationException {
        long[] ctx = new long[1];
        CL.clGetMemObjectInfo(mem, CL.CL_MEM_CONTEXT, 8, Pointer.to(ctx), null);
        return forContext(ctx[0]);
    }

    cl_command_queue forContext(long contextPtr) throws MigrationException {
        cl_command_queue q = queues.get(contextPtr);
        if (q != null) {
            return q;
        }
        cl_context ctx = (cl_context) io.ava.server.dispatch.NativePointers.wrap(io.ava.spec.HandleType.cl_context, contextPtr);
        long[] dev = new long[1];
        CL.clGetContextInfo(ctx, CL.CL_CONTEXT_DEVICES, 8, Pointer.to(dev), null);
        cl_device_id device = (cl_device_id) io.ava.server.dispatch.NativePointers.wrap(io.ava.spec.HandleType.cl_device_id, dev[0]);
        int[] err = new int[1];
        @SuppressWarnings("deprecation")
        cl_command_queue created = CL.clCreateCommandQueue(ctx, device, 0, err);
        if (err[0] != CL.CL_SUCCESS) {
            throw new MigrationException("cannot make a queue to move contents (error " + err[0] + ")");
        }
        queues.put(contextPtr, created);
        return created;
    }

    @Override
    public void close() {
        for (cl_command_queue q : queues.values()) {
            CL.clFinish(q);
            CL.clReleaseCommandQueue(q);
        }
        queues.clear();
    }
}
