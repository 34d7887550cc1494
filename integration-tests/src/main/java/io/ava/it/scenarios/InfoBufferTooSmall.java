package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_sampler;

/**
 * Every clGet*Info with param_value_size too small: CL_INVALID_VALUE with exceptions off, CLException with them on;
 * the size query itself (value null) still answers; a size exactly right works.
 */
public class InfoBufferTooSmall {

    interface Query {
        int run(long size, Pointer value, long[] sizeRet);
    }

    static void probe(String label, Query q) {
        long[] needed = new long[1];
        exceptions(false);
        int rc0 = q.run(0, null, needed);
        int rc = q.run(Math.max(0, needed[0] - 1), Pointer.to(new byte[(int) Math.max(1, needed[0])]), null);
        int rc1 = q.run(1, Pointer.to(new byte[1]), null);
        int ok = q.run(needed[0], Pointer.to(new byte[(int) Math.max(1, needed[0])]), null);
        exceptions(true);
        String on = thrown(() -> q.run(Math.max(0, needed[0] - 1), Pointer.to(new byte[(int) Math.max(1, needed[0])]), null));
        out(label + ": size query " + stringFor_errorCode(rc0) + " needed>0 " + (needed[0] > 0) + " | one byte short: " + stringFor_errorCode(rc)
            + " | 1 byte: " + stringFor_errorCode(rc1) + " | exact: " + stringFor_errorCode(ok) + " | exceptions on: " + on);
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build("__kernel void k(__global int* a) { a[0] = 1; }\n");
        cl_kernel k = clCreateKernel(program, "k", null);
        cl_mem buf = c.ints(1, 2);
        cl_event ev = new cl_event();
        clEnqueueMarkerWithWaitList(c.queue, 0, null, ev);
        clFinish(c.queue);
        cl_image_format f = new cl_image_format();
        f.image_channel_order = CL_RGBA;
        f.image_channel_data_type = CL_FLOAT;
        cl_image_desc d = new cl_image_desc();
        d.image_type = CL_MEM_OBJECT_IMAGE2D;
        d.image_width = 4;
        d.image_height = 4;
        cl_mem img = clCreateImage(c.ctx, CL_MEM_READ_WRITE, f, d, null, null);
        cl_sampler sampler = clCreateSampler(c.ctx, false, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, null);

        probe("platform name", (s, v, r) -> clGetPlatformInfo(c.platform, CL_PLATFORM_NAME, s, v, r));
        probe("device max compute units", (s, v, r) -> clGetDeviceInfo(c.device, CL_DEVICE_MAX_COMPUTE_UNITS, s, v, r));
        probe("device max work item sizes", (s, v, r) -> clGetDeviceInfo(c.device, CL_DEVICE_MAX_WORK_ITEM_SIZES, s, v, r));
        probe("context devices", (s, v, r) -> clGetContextInfo(c.ctx, CL_CONTEXT_DEVICES, s, v, r));
        probe("queue properties", (s, v, r) -> clGetCommandQueueInfo(c.queue, CL_QUEUE_PROPERTIES, s, v, r));
        probe("mem size", (s, v, r) -> clGetMemObjectInfo(buf, CL_MEM_SIZE, s, v, r));
        probe("image format", (s, v, r) -> clGetImageInfo(img, CL_IMAGE_FORMAT, s, v, r));
        probe("sampler addressing mode", (s, v, r) -> clGetSamplerInfo(sampler, CL_SAMPLER_ADDRESSING_MODE, s, v, r));
        probe("program source", (s, v, r) -> clGetProgramInfo(program, CL_PROGRAM_SOURCE, s, v, r));
        probe("program build status", (s, v, r) -> clGetProgramBuildInfo(program, c.device, CL_PROGRAM_BUILD_STATUS, s, v, r));
        probe("kernel function name", (s, v, r) -> clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, s, v, r));
        probe("kernel work group size", (s, v, r) -> clGetKernelWorkGroupInfo(k, c.device, CL_KERNEL_WORK_GROUP_SIZE, s, v, r));
        probe("event command type", (s, v, r) -> clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, s, v, r));

        // a too-small value with a size_ret: what lands in size_ret
        exceptions(false);
        long[] sizeRet = {-1};
        int rc = clGetDeviceInfo(c.device, CL_DEVICE_NAME, 2, Pointer.to(new byte[2]), sizeRet);
        out("device name into 2 bytes: " + stringFor_errorCode(rc) + ", size_ret changed " + (sizeRet[0] != -1));
        exceptions(true);

        clReleaseSampler(sampler);
        clReleaseEvent(ev);
        release(buf, img);
        clReleaseKernel(k);
        clReleaseProgram(program);
        c.close();
        finish("InfoBufferTooSmall");
    }
}
