package io.ava.it.scenarios;

import static org.jocl.CL.*;

import org.jocl.*;

/**
 * A long loop that sets a kernel argument and launches the kernel, as iterative programs do;
 * prints "ready" once the loop runs. Used to check that the server's record log stays bounded.
 */
public class ArgumentLoop {
    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        CL.setExceptionsEnabled(true);
        cl_platform_id[] platforms = new cl_platform_id[1];
        clGetPlatformIDs(1, platforms, null);
        cl_device_id[] devices = new cl_device_id[1];
        clGetDeviceIDs(platforms[0], CL_DEVICE_TYPE_ALL, 1, devices, null);
        cl_context ctx = clCreateContext(null, 1, devices, null, null, null);
        cl_command_queue queue = clCreateCommandQueue(ctx, devices[0], 0, null);
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 4 * 64, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1,
            new String[] {"kernel void add(global int* x, int v) { x[get_global_id(0)] += v; }"}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        cl_kernel kernel = clCreateKernel(program, "add", null);
        clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(buf));
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        boolean announced = false;
        int[] v = new int[1];
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) {
                v[0] = i;
                clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(v));
                clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {64}, null, 0, null, null);
            }
            clFinish(queue);
            if (!announced) {
                System.out.println("ready");
                System.out.flush();
                announced = true;
            }
        }
        clReleaseKernel(kernel);
        clReleaseProgram(program);
        clReleaseMemObject(buf);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
    }
}
