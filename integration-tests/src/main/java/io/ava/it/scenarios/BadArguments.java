package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * Wrong arguments, each tried with exceptions off (the error code) and on (the CLException), followed by a check
 * that the objects involved still work. Only cases that are safe natively: no dangling handles, only the null handle.
 */
public class BadArguments {

    /** A call that reports an error through its return value or errcode_ret. */
    interface Call {
        int run(int[] errcodeRet);
    }

    /** Runs the call with exceptions off, then on; prints both outcomes; returns the error code name (exceptions off). */
    static String both(String label, Call call) {
        exceptions(false);
        int[] err = {CL_SUCCESS};
        String off;
        try {
            int rc = call.run(err);
            off = stringFor_errorCode(rc != CL_SUCCESS ? rc : err[0]);
        } catch (RuntimeException e) {
            off = "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
        exceptions(true);
        String on;
        try {
            call.run(null);
            on = "no exception";
        } catch (CLException e) {
            on = "CLException " + stringFor_errorCode(e.getStatus()) + " message=" + firstLine(e.getMessage());
        } catch (RuntimeException e) {
            on = "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
        out(label + " | exceptions off: " + off + " | exceptions on: " + on);
        return off;
    }

    /** Like both(), and the code must be the expected one, with the same status in the CLException. */
    static void both(String label, int expected, Call call) {
        String off = both(label, call);
        if (!off.equals(stringFor_errorCode(expected))) {
            fail(label + ": expected " + stringFor_errorCode(expected) + ", got " + off);
        }
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_context other = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_mem buf = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 64, null, null);
        cl_mem foreign = clCreateBuffer(other, CL_MEM_READ_WRITE, 64, null, null);
        cl_program unbuilt = clCreateProgramWithSource(ctx, 1, new String[] {"__kernel void k(__global int* a) { a[0] = 1; }"}, null, null);
        long maxAlloc = deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);

        // buffer creation
        both("clCreateBuffer size 0", CL_INVALID_BUFFER_SIZE, e -> {
            clCreateBuffer(ctx, CL_MEM_READ_WRITE, 0, null, e);
            return CL_SUCCESS;
        });
        both("clCreateBuffer size above CL_DEVICE_MAX_MEM_ALLOC_SIZE", e -> {
            clCreateBuffer(ctx, CL_MEM_READ_WRITE, maxAlloc + 1, null, e);
            return CL_SUCCESS;
        });
        both("clCreateBuffer READ_ONLY|WRITE_ONLY", e -> {
            clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY, 64, null, e);
            return CL_SUCCESS;
        });
        both("clCreateBuffer COPY_HOST_PTR without a host pointer", e -> {
            clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, 64, null, e);
            return CL_SUCCESS;
        });
        both("clCreateBuffer host pointer without a host-pointer flag", e -> {
            clCreateBuffer(ctx, CL_MEM_READ_WRITE, 16, Pointer.to(new int[4]), e);
            return CL_SUCCESS;
        });
        both("clCreateBuffer on the null context", e -> {
            clCreateBuffer(new cl_context(), CL_MEM_READ_WRITE, 64, null, e);
            return CL_SUCCESS;
        });

        // reads and writes out of range
        both("read past the end of a buffer", CL_INVALID_VALUE, e -> clEnqueueReadBuffer(queue, buf, CL_TRUE, 32, 64, Pointer.to(new byte[64]), 0, null, null));
        both("write past the end of a buffer", CL_INVALID_VALUE, e -> clEnqueueWriteBuffer(queue, buf, CL_TRUE, 60, 8, Pointer.to(new byte[8]), 0, null, null));
        both("read of size 0", e -> clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, 0, Pointer.to(new byte[8]), 0, null, null));
        both("read into a null pointer", e -> clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, 8, null, 0, null, null));
        both("copy between buffers of different contexts", CL_INVALID_CONTEXT, e -> clEnqueueCopyBuffer(queue, buf, foreign, 0, 0, 16, 0, null, null));
        both("copy with overlapping regions of one buffer", e -> clEnqueueCopyBuffer(queue, buf, buf, 0, 8, 16, 0, null, null));

        // null handles (safe natively: the ICD loader rejects them)
        both("clReleaseMemObject(null handle)", CL_INVALID_MEM_OBJECT, e -> clReleaseMemObject(new cl_mem()));
        both("clRetainContext(null handle)", e -> clRetainContext(new cl_context()));
        both("clGetContextInfo(null handle)", e -> clGetContextInfo(new cl_context(), CL_CONTEXT_NUM_DEVICES, Sizeof.cl_uint,
            Pointer.to(new int[1]), null));
        both("clFinish(null queue)", CL_INVALID_COMMAND_QUEUE, e -> clFinish(new cl_command_queue()));
        both("clEnqueueReadBuffer(null queue)", e -> clEnqueueReadBuffer(new cl_command_queue(), buf, CL_TRUE, 0, 8,
            Pointer.to(new byte[8]), 0, null, null));
        both("clEnqueueReadBuffer(null buffer)", e -> clEnqueueReadBuffer(queue, new cl_mem(), CL_TRUE, 0, 8,
            Pointer.to(new byte[8]), 0, null, null));
        both("clWaitForEvents(null event)", e -> clWaitForEvents(1, new cl_event[] {new cl_event()}));
        both("clWaitForEvents(0 events)", e -> clWaitForEvents(0, new cl_event[0]));
        both("clCreateKernel(null program)", e -> {
            clCreateKernel(new cl_program(), "k", e);
            return CL_SUCCESS;
        });

        // programs and kernels
        both("clCreateProgramWithSource count 0", e -> {
            clCreateProgramWithSource(ctx, 0, new String[0], null, e);
            return CL_SUCCESS;
        });
        both("clCreateKernel on an unbuilt program", CL_INVALID_PROGRAM_EXECUTABLE, e -> {
            clCreateKernel(unbuilt, "k", e);
            return CL_SUCCESS;
        });
        both("clGetProgramBuildInfo with a device of no program", e -> clGetProgramBuildInfo(unbuilt, new cl_device_id(),
            CL_PROGRAM_BUILD_STATUS, Sizeof.cl_int, Pointer.to(new int[1]), null));

        // sub-buffers
        long align = deviceInt(device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
        out("CL_DEVICE_MEM_BASE_ADDR_ALIGN (bytes): " + align);
        cl_mem big = clCreateBuffer(ctx, CL_MEM_READ_WRITE, align * 4, null, null);
        both("clCreateSubBuffer at a misaligned origin", e -> {
            cl_buffer_region region = new cl_buffer_region(1, 16);
            clCreateSubBuffer(big, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, region, e);
            return CL_SUCCESS;
        });
        both("clCreateSubBuffer past the end", e -> {
            cl_buffer_region region = new cl_buffer_region(align * 2, align * 4);
            clCreateSubBuffer(big, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, region, e);
            return CL_SUCCESS;
        });

        // infos with a too-small value buffer
        both("clGetDeviceInfo name into 1 byte", e -> clGetDeviceInfo(device, CL_DEVICE_NAME, 1, Pointer.to(new byte[1]), null));
        both("clGetMemObjectInfo size into 2 bytes", e -> clGetMemObjectInfo(buf, CL_MEM_SIZE, 2, Pointer.to(new byte[8]), null));

        // everything still works afterwards
        exceptions(true);
        int[] data = {1, 2, 3, 4};
        clEnqueueWriteBuffer(queue, buf, CL_TRUE, 0, 16, Pointer.to(data), 0, null, null);
        int[] back = new int[4];
        clEnqueueReadBuffer(queue, buf, CL_TRUE, 0, 16, Pointer.to(back), 0, null, null);
        check("buffer still works after the errors", back[3] == 4);
        int[] refs = new int[1];
        clGetMemObjectInfo(buf, CL_MEM_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        expect("buffer reference count unchanged", 1, refs[0]);

        clReleaseMemObject(big);
        clReleaseMemObject(buf);
        clReleaseMemObject(foreign);
        clReleaseProgram(unbuilt);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        clReleaseContext(other);
        finish("BadArguments");
    }
}
