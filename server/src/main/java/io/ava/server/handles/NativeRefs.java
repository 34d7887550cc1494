package io.ava.server.handles;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_sampler;

/** The driver's retain and release for an object of any type. */
public final class NativeRefs {
    private NativeRefs() {
    }

    public static void retain(HandleEntry e) {
        switch (e.type()) {
            case cl_context -> CL.clRetainContext((cl_context) e.object());
            case cl_command_queue -> CL.clRetainCommandQueue((cl_command_queue) e.object());
            case cl_mem -> CL.clRetainMemObject((cl_mem) e.object());
            case cl_program -> CL.clRetainProgram((cl_program) e.object());
            case cl_kernel -> CL.clRetainKernel((cl_kernel) e.object());
            case cl_event -> CL.clRetainEvent((cl_event) e.object());
            case cl_sampler -> CL.clRetainSampler((cl_sampler) e.object());
            case cl_device_id -> CL.clRetainDevice((org.jocl.cl_device_id) e.object());
            default -> {
            }
        }
    }

    public static void release(HandleEntry e) {
        switch (e.type()) {
            case cl_context -> {
                synchronized (io.ava.server.dispatch.JoclContextMap.LOCK) { // JOCL's context map has no lock
                    CL.clReleaseContext((cl_context) e.object());
                }
            }
            case cl_command_queue -> CL.clReleaseCommandQueue((cl_command_queue) e.object());
            case cl_mem -> CL.clReleaseMemObject((cl_mem) e.object());
            case cl_program -> CL.clReleaseProgram((cl_program) e.object());
            case cl_kernel -> CL.clReleaseKernel((cl_kernel) e.object());
            case cl_event -> CL.clReleaseEvent((cl_event) e.object());
            case cl_sampler -> CL.clReleaseSampler((cl_sampler) e.object());
            case cl_device_id -> CL.clReleaseDevice((org.jocl.cl_device_id) e.object()); // sub-devices only (roots are not owned)
            default -> {
            }
        }
    }
}
