package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * clCreateContext / clCreateContextFromType with a CreateContextFunction (whether the driver ever calls it is
 * printed: natively PoCL reports nothing for a healthy context), clBuildProgram with a BuildProgramFunction: it
 * runs (asynchronous build), with the right program and user data, for a good and for a failing build.
 */
public class ContextAndBuildCallbacks {

    public static void main(String[] args) throws Exception {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        AtomicInteger contextCalls = new AtomicInteger();
        cl_context ctx = clCreateContext(props, 1, new cl_device_id[] {device}, (errinfo, info, cb, data) -> contextCalls.incrementAndGet(),
            "ctx-data", null);
        cl_context ctx2 = clCreateContextFromType(props, CL_DEVICE_TYPE_ALL, (errinfo, info, cb, data) -> contextCalls.incrementAndGet(),
            "ctx2-data", null);
        int[] refs = new int[1];
        clGetContextInfo(ctx, CL_CONTEXT_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        expect("context with a notify callback: reference count", 1, refs[0]);

        // 1. a good build with a callback
        List<String> records = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch good = new CountDownLatch(1);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {"__kernel void k(__global int* a) { a[0] = 7; }"}, null, null);
        clBuildProgram(program, 1, new cl_device_id[] {device}, null, (p, data) -> {
            int[] st = new int[1];
            clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_STATUS, Sizeof.cl_int, Pointer.to(st), null);
            records.add("good build callback: same program " + program.equals(p) + ", user data " + data + ", status "
                + stringFor_cl_build_status(st[0]));
            good.countDown();
        }, "build-data");
        check("good build callback ran within 10 s", good.await(10, TimeUnit.SECONDS));
        int[] status = new int[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_STATUS, Sizeof.cl_int, Pointer.to(status), null);
        expect("build status after the callback", "CL_BUILD_SUCCESS", stringFor_cl_build_status(status[0]));
        cl_kernel k = clCreateKernel(program, "k", null);
        check("kernel from the callback-built program", k != null);

        // 2. a failing build with a callback: the callback still runs; the call's own result is printed
        CountDownLatch bad = new CountDownLatch(1);
        cl_program broken = clCreateProgramWithSource(ctx, 1, new String[] {"__kernel void k( { nonsense"}, null, null);
        exceptions(false);
        int rc = clBuildProgram(broken, 1, new cl_device_id[] {device}, null, (p, data) -> {
            int[] st = new int[1];
            clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_STATUS, Sizeof.cl_int, Pointer.to(st), null);
            records.add("failing build callback: same program " + broken.equals(p) + ", user data " + data + ", status "
                + stringFor_cl_build_status(st[0]));
            bad.countDown();
        }, Integer.valueOf(99));
        exceptions(true);
        out("clBuildProgram with a callback on broken source returned: " + stringFor_errorCode(rc));
        check("failing build callback ran within 10 s", bad.await(10, TimeUnit.SECONDS));
        // 3. a rebuild with a callback while a kernel is attached (and the device listed twice): an error; PoCL still calls back
        exceptions(false);
        int rc2 = clBuildProgram(program, 2, new cl_device_id[] {device, device}, null, (p, data) -> records.add("rebuild-with-kernel callback"),
            null);
        exceptions(true);
        out("rebuild while a kernel is attached (device listed twice): " + stringFor_errorCode(rc2));

        sleep(200);
        List<String> sorted;
        synchronized (records) {
            sorted = new ArrayList<>(records);
        }
        Collections.sort(sorted);
        sorted.forEach(Support::out);
        out("context notify callback calls: " + contextCalls.get());

        clReleaseKernel(k);
        clReleaseProgram(program);
        clReleaseProgram(broken);
        clReleaseContext(ctx);
        clReleaseContext(ctx2);
        finish("ContextAndBuildCallbacks");
    }

    static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
