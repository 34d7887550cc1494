package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Platform and device discovery and info queries, including a handle-valued query. */
public class PlatformsAndDevices {

    public static void main(String[] args) {
        exceptions(true);

        int[] numPlatforms = new int[1];
        clGetPlatformIDs(0, null, numPlatforms);
        out("platforms: " + numPlatforms[0]);
        check("at least one platform", numPlatforms[0] >= 1);
        cl_platform_id[] platforms = new cl_platform_id[numPlatforms[0]];
        clGetPlatformIDs(platforms.length, platforms, null);

        for (int p = 0; p < platforms.length; p++) {
            cl_platform_id platform = platforms[p];
            out("platform " + p + " name: " + platformString(platform, CL_PLATFORM_NAME));
            out("platform " + p + " vendor: " + platformString(platform, CL_PLATFORM_VENDOR));
            out("platform " + p + " version: " + platformString(platform, CL_PLATFORM_VERSION));
            out("platform " + p + " profile: " + platformString(platform, CL_PLATFORM_PROFILE));
            check("platform " + p + " object is non-null", platform != null);

            int[] numDevices = new int[1];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, numDevices);
            out("platform " + p + " devices: " + numDevices[0]);
            cl_device_id[] devices = new cl_device_id[numDevices[0]];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices.length, devices, null);

            // a second enumeration yields equal objects
            cl_device_id[] again = new cl_device_id[numDevices[0]];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, again.length, again, null);
            check("platform " + p + " second enumeration equals first", java.util.Arrays.equals(devices, again));

            int[] numCpu = new int[1];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_CPU, 0, null, numCpu);
            out("platform " + p + " cpu devices: " + numCpu[0]);

            for (int d = 0; d < devices.length; d++) {
                cl_device_id device = devices[d];
                String prefix = "platform " + p + " device " + d;
                out(prefix + " name: " + deviceString(device, CL_DEVICE_NAME));
                out(prefix + " vendor: " + deviceString(device, CL_DEVICE_VENDOR));
                out(prefix + " version: " + deviceString(device, CL_DEVICE_VERSION));
                out(prefix + " driver version: " + deviceString(device, CL_DRIVER_VERSION));
                long type = deviceLong(device, CL_DEVICE_TYPE);
                out(prefix + " type: " + stringFor_cl_device_type(type));
                out(prefix + " max compute units: " + deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS));
                out(prefix + " global mem size: " + deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE));
                out(prefix + " local mem size: " + deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE));
                out(prefix + " max mem alloc size: " + deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE));
                out(prefix + " max work group size: " + deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
                out(prefix + " max work item dimensions: " + deviceInt(device, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS));

                long[] sizes = new long[3];
                clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, Sizeof.size_t * 3L, Pointer.to(sizes), null);
                out(prefix + " max work item sizes: " + sizes[0] + " " + sizes[1] + " " + sizes[2]);

                int[] available = new int[1];
                clGetDeviceInfo(device, CL_DEVICE_AVAILABLE, Sizeof.cl_int, Pointer.to(available), null);
                out(prefix + " available: " + (available[0] != 0));

                long[] sizeRet = new long[1];
                clGetDeviceInfo(device, CL_DEVICE_NAME, 0, null, sizeRet);
                out(prefix + " name size_ret: " + sizeRet[0]);

                cl_platform_id owner = new cl_platform_id();
                clGetDeviceInfo(device, CL_DEVICE_PLATFORM, Sizeof.cl_platform_id, Pointer.to(owner), null);
                check(prefix + " CL_DEVICE_PLATFORM equals platform", owner.equals(platform));
                check(prefix + " CL_DEVICE_PLATFORM hashCode equals", owner.hashCode() == platform.hashCode());
            }
        }

        // error cases, with exceptions on and off
        out("clGetPlatformIDs(0, null, null): " + thrown(() -> clGetPlatformIDs(0, null, null)));
        out("clGetDeviceInfo bad param: " + thrown(() -> clGetDeviceInfo(firstDevice(platforms[0]), 0x7FFF, 8, Pointer.to(new long[1]), null)));
        exceptions(false);
        int rc = clGetPlatformIDs(0, null, null);
        // the ocl-icd loader answers CL_SUCCESS here (the spec says CL_INVALID_VALUE): print what it does
        out("clGetPlatformIDs(0, null, null) code: " + stringFor_errorCode(rc));
        rc = clGetDeviceInfo(firstDevice(platforms[0]), 0x7FFF, 8, Pointer.to(new long[1]), null);
        expectError("clGetDeviceInfo bad param code", CL_INVALID_VALUE, rc);
        byte[] tooSmall = new byte[2];
        rc = clGetDeviceInfo(firstDevice(platforms[0]), CL_DEVICE_NAME, tooSmall.length, Pointer.to(tooSmall), null);
        expectError("clGetDeviceInfo name into 2 bytes code", CL_INVALID_VALUE, rc);

        finish("PlatformsAndDevices");
    }
}
