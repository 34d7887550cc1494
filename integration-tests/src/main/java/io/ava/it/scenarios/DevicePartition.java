package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_device_partition_property;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * clCreateSubDevices (equally, by counts), sub-device info (parent, compute units, partition type), a context and a
 * kernel on a sub-device, clRetainDevice/clReleaseDevice reference counts, partition errors.
 */
public class DevicePartition {

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        int units = deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS);
        out("root device compute units >= 2: " + (units >= 2));
        out("CL_DEVICE_PARTITION_MAX_SUB_DEVICES == compute units: " + (deviceInt(device, CL_DEVICE_PARTITION_MAX_SUB_DEVICES) == units));
        long[] propsSize = new long[1];
        clGetDeviceInfo(device, CL_DEVICE_PARTITION_PROPERTIES, 0, null, propsSize);
        long[] props = new long[(int) (propsSize[0] / 8)];
        clGetDeviceInfo(device, CL_DEVICE_PARTITION_PROPERTIES, propsSize[0], Pointer.to(props), null);
        out("CL_DEVICE_PARTITION_PROPERTIES: " + Arrays.toString(props));
        expect("root device CL_DEVICE_REFERENCE_COUNT", 1, deviceInt(device, CL_DEVICE_REFERENCE_COUNT));
        expectError("clRetainDevice(root)", CL_SUCCESS, clRetainDevice(device));
        expectError("clReleaseDevice(root)", CL_SUCCESS, clReleaseDevice(device));

        // 1. equally, one compute unit each
        cl_device_partition_property eq = new cl_device_partition_property();
        eq.addProperty(CL_DEVICE_PARTITION_EQUALLY, 1);
        int[] n = new int[1];
        exceptions(false);
        int rc = clCreateSubDevices(device, eq, 0, null, n);
        exceptions(true);
        out("clCreateSubDevices(EQUALLY 1) count query: " + stringFor_errorCode(rc) + ", " + n[0] + " sub-devices");
        if (rc == CL_SUCCESS && n[0] > 0) {
            cl_device_id[] subs = new cl_device_id[n[0]];
            clCreateSubDevices(device, eq, n[0], subs, null);
            cl_device_id sub = subs[0];
            out("sub-device compute units: " + deviceInt(sub, CL_DEVICE_MAX_COMPUTE_UNITS));
            cl_device_id parent = new cl_device_id();
            clGetDeviceInfo(sub, CL_DEVICE_PARENT_DEVICE, Sizeof.cl_device_id, Pointer.to(parent), null);
            check("CL_DEVICE_PARENT_DEVICE equals the root device", device.equals(parent));
            long[] ptype = new long[4];
            long[] ptypeSize = new long[1];
            clGetDeviceInfo(sub, CL_DEVICE_PARTITION_TYPE, 32, Pointer.to(ptype), ptypeSize);
            out("sub-device CL_DEVICE_PARTITION_TYPE: " + Arrays.toString(Arrays.copyOf(ptype, (int) (ptypeSize[0] / 8))));
            expect("sub-device reference count", 1, deviceInt(sub, CL_DEVICE_REFERENCE_COUNT));
            clRetainDevice(sub);
            expect("sub-device reference count after clRetainDevice", 2, deviceInt(sub, CL_DEVICE_REFERENCE_COUNT));
            clReleaseDevice(sub);
            expect("sub-device reference count after clReleaseDevice", 1, deviceInt(sub, CL_DEVICE_REFERENCE_COUNT));

            // a context and a kernel on the sub-device
            cl_context ctx = clCreateContext(null, 1, new cl_device_id[] {sub}, null, null, null);
            cl_command_queue q = clCreateCommandQueueWithProperties(ctx, sub, null, null);
            cl_program p = clCreateProgramWithSource(ctx, 1, new String[] {"__kernel void k(__global int* a) { a[get_global_id(0)] *= 7; }"},
                null, null);
            clBuildProgram(p, 0, null, null, null, null);
            cl_kernel k = clCreateKernel(p, "k", null);
            cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, 16, Pointer.to(new int[] {1, 2, 3, 4}), null);
            clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(m));
            clEnqueueNDRangeKernel(q, k, 1, null, new long[] {4}, null, 0, null, null);
            int[] r = new int[4];
            clEnqueueReadBuffer(q, m, CL_TRUE, 0, 16, Pointer.to(r), 0, null, null);
            out("kernel on the sub-device: " + Arrays.toString(r));
            clReleaseMemObject(m);
            clReleaseKernel(k);
            clReleaseProgram(p);
            clReleaseCommandQueue(q);
            clReleaseContext(ctx);
            for (cl_device_id s : subs) {
                clReleaseDevice(s);
            }
        }

        // 2. by counts
        cl_device_partition_property counts = new cl_device_partition_property();
        counts.addProperty(CL_DEVICE_PARTITION_BY_COUNTS, 1);
        counts.addProperty(CL_DEVICE_PARTITION_BY_COUNTS_LIST_END, 0);
        exceptions(false);
        cl_device_id[] bc = new cl_device_id[1];
        rc = clCreateSubDevices(device, counts, 1, bc, n);
        out("clCreateSubDevices(BY_COUNTS {1}): " + stringFor_errorCode(rc) + ", " + n[0] + " sub-device(s)");
        if (rc == CL_SUCCESS) {
            out("  its compute units: " + deviceInt(bc[0], CL_DEVICE_MAX_COMPUTE_UNITS));
            clReleaseDevice(bc[0]);
        }
        // 3. errors
        cl_device_partition_property tooMany = new cl_device_partition_property();
        tooMany.addProperty(CL_DEVICE_PARTITION_EQUALLY, units + 1);
        out("EQUALLY with more units than the device has: " + stringFor_errorCode(clCreateSubDevices(device, tooMany, 0, null, n)));
        cl_device_partition_property affinity = new cl_device_partition_property();
        affinity.addProperty(CL_DEVICE_PARTITION_BY_AFFINITY_DOMAIN, CL_DEVICE_AFFINITY_DOMAIN_NUMA);
        out("BY_AFFINITY_DOMAIN NUMA: " + stringFor_errorCode(clCreateSubDevices(device, affinity, 0, null, n)));
        out("clReleaseDevice(null device): " + stringFor_errorCode(clReleaseDevice(new cl_device_id())));
        exceptions(true);
        finish("DevicePartition");
    }
}
