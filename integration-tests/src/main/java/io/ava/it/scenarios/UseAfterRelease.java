package io.ava.it.scenarios;

import static org.jocl.CL.*;

import org.jocl.*;

/**
 * Handles used after their release. Natively this is undefined behaviour (a crash or garbage on
 * most drivers), so the scenario runs only under ava, where each use must give the object type's
 * invalid-object error and leave the server serving.
 */
public class UseAfterRelease {
    public static void main(String[] args) {
        CL.setExceptionsEnabled(false);
        cl_platform_id[] platforms = new cl_platform_id[1];
        clGetPlatformIDs(1, platforms, null);
        cl_device_id[] devices = new cl_device_id[1];
        clGetDeviceIDs(platforms[0], CL_DEVICE_TYPE_ALL, 1, devices, null);
        cl_context ctx = clCreateContext(null, 1, devices, null, null, null);
        cl_command_queue queue = clCreateCommandQueue(ctx, devices[0], 0, null);
        cl_mem mem = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 64, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {"kernel void k(global int* x) { x[0] = 1; }"}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel kernel = clCreateKernel(program, "k", null);
        cl_event event = clCreateUserEvent(ctx, null);

        clReleaseMemObject(mem);
        clReleaseKernel(kernel);
        clReleaseProgram(program);
        clReleaseEvent(event);

        long[] size = new long[1];
        System.out.println("clGetMemObjectInfo on a released buffer: "
            + stringFor_errorCode(clGetMemObjectInfo(mem, CL_MEM_SIZE, 8, Pointer.to(size), null)));
        System.out.println("clEnqueueReadBuffer from a released buffer: "
            + stringFor_errorCode(clEnqueueReadBuffer(queue, mem, true, 0, 4, Pointer.to(new int[1]), 0, null, null)));
        System.out.println("clSetKernelArg on a released kernel: "
            + stringFor_errorCode(clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(mem))));
        System.out.println("clWaitForEvents on a released event: "
            + stringFor_errorCode(clWaitForEvents(1, new cl_event[] {event})));
        System.out.println("clReleaseMemObject twice: " + stringFor_errorCode(clReleaseMemObject(mem)));
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        System.out.println("UseAfterRelease: done");
    }
}
