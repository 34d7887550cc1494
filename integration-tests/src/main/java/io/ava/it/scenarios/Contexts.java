package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Context creation (by device list and by type), info queries, reference counting, errors. */
public class Contexts {

    static int refCount(cl_context context) {
        int[] value = new int[1];
        clGetContextInfo(context, CL_CONTEXT_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(value), null);
        return value[0];
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);

        // 1. clCreateContext with an explicit device list and platform property
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        check("clCreateContext returned an object", ctx != null);

        int[] numDevices = new int[1];
        clGetContextInfo(ctx, CL_CONTEXT_NUM_DEVICES, Sizeof.cl_uint, Pointer.to(numDevices), null);
        expect("CL_CONTEXT_NUM_DEVICES", 1, numDevices[0]);

        long[] sizeRet = new long[1];
        clGetContextInfo(ctx, CL_CONTEXT_DEVICES, 0, null, sizeRet);
        expect("CL_CONTEXT_DEVICES size_ret / sizeof(cl_device_id)", 1L, sizeRet[0] / Sizeof.cl_device_id);
        cl_device_id[] ctxDevices = new cl_device_id[numDevices[0]];
        clGetContextInfo(ctx, CL_CONTEXT_DEVICES, (long) Sizeof.cl_device_id * ctxDevices.length, Pointer.to(ctxDevices), null);
        check("CL_CONTEXT_DEVICES[0] equals device", device.equals(ctxDevices[0]));

        // CL_CONTEXT_PROPERTIES comes back as {CL_CONTEXT_PLATFORM, <platform>, 0}
        clGetContextInfo(ctx, CL_CONTEXT_PROPERTIES, 0, null, sizeRet);
        expect("CL_CONTEXT_PROPERTIES entries", 3L, sizeRet[0] / Sizeof.size_t);
        long[] propValues = new long[(int) (sizeRet[0] / Sizeof.size_t)];
        clGetContextInfo(ctx, CL_CONTEXT_PROPERTIES, sizeRet[0], Pointer.to(propValues), null);
        expect("CL_CONTEXT_PROPERTIES[0]", (long) CL_CONTEXT_PLATFORM, propValues[0]);
        check("CL_CONTEXT_PROPERTIES[1] non-zero", propValues.length > 1 && propValues[1] != 0);
        expect("CL_CONTEXT_PROPERTIES[2]", 0L, propValues.length > 2 ? propValues[2] : -1L);

        // 2. reference counting
        expect("reference count after create", 1, refCount(ctx));
        clRetainContext(ctx);
        expect("reference count after retain", 2, refCount(ctx));
        clRetainContext(ctx);
        expect("reference count after second retain", 3, refCount(ctx));
        clReleaseContext(ctx);
        expect("reference count after release", 2, refCount(ctx));
        clReleaseContext(ctx);
        expect("reference count after second release", 1, refCount(ctx));

        // 3. clCreateContextFromType with CL_CONTEXT_PLATFORM
        cl_context_properties typeProps = new cl_context_properties();
        typeProps.addProperty(CL_CONTEXT_PLATFORM, platform);
        cl_context byType = clCreateContextFromType(typeProps, CL_DEVICE_TYPE_ALL, null, null, null);
        int[] n2 = new int[1];
        clGetContextInfo(byType, CL_CONTEXT_NUM_DEVICES, Sizeof.cl_uint, Pointer.to(n2), null);
        expect("from type ALL: CL_CONTEXT_NUM_DEVICES", 1, n2[0]);
        cl_device_id[] typeDevices = new cl_device_id[n2[0]];
        clGetContextInfo(byType, CL_CONTEXT_DEVICES, (long) Sizeof.cl_device_id * typeDevices.length, Pointer.to(typeDevices), null);
        check("from type ALL: device equals clGetDeviceIDs device", device.equals(typeDevices[0]));
        check("two contexts are distinct objects", !ctx.equals(byType));
        clReleaseContext(byType);

        cl_context cpu = clCreateContextFromType(typeProps, CL_DEVICE_TYPE_CPU, null, null, null);
        clGetContextInfo(cpu, CL_CONTEXT_NUM_DEVICES, Sizeof.cl_uint, Pointer.to(n2), null);
        expect("from type CPU: CL_CONTEXT_NUM_DEVICES", 1, n2[0]);
        clReleaseContext(cpu);

        // 4. errors: no GPU on this platform, a bad device count
        out("from type GPU (exceptions on): " + thrown(() -> clCreateContextFromType(typeProps, CL_DEVICE_TYPE_GPU, null, null, null)));
        out("clCreateContext 0 devices (exceptions on): " + thrown(() -> clCreateContext(props, 0, new cl_device_id[0], null, null, null)));
        out("clGetContextInfo bad param (exceptions on): "
            + thrown(() -> clGetContextInfo(ctx, 0x7FFF, Sizeof.cl_uint, Pointer.to(new int[1]), null)));

        exceptions(false);
        int[] err = new int[1];
        cl_context none = clCreateContextFromType(typeProps, CL_DEVICE_TYPE_GPU, null, null, err);
        expectError("from type GPU (exceptions off) errcode", CL_DEVICE_NOT_FOUND, err[0]);
        // JOCL 2.0.5 returns a (non-null) cl_context object here even though creation failed
        out("from type GPU returned null: " + (none == null));
        clCreateContext(props, 0, new cl_device_id[0], null, null, err);
        expectError("clCreateContext 0 devices (exceptions off) errcode", CL_INVALID_VALUE, err[0]);
        int rc = clGetContextInfo(ctx, 0x7FFF, Sizeof.cl_uint, Pointer.to(new int[1]), null);
        expectError("clGetContextInfo bad param (exceptions off)", CL_INVALID_VALUE, rc);

        rc = clReleaseContext(ctx);
        expectError("final clReleaseContext", CL_SUCCESS, rc);
        finish("Contexts");
    }
}
