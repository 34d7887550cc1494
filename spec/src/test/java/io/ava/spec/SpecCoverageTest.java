package io.ava.spec;

import org.jocl.CL;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every spec entry describes a real JOCL native with the right number of arguments; prints coverage. */
class SpecCoverageTest {
    /** The functions the foundation issue must remote. */
    static final List<String> REQUIRED = List.of(
            "clGetPlatformIDs", "clGetPlatformInfo", "clGetDeviceIDs", "clGetDeviceInfo",
            "clCreateContext", "clCreateContextFromType", "clRetainContext", "clReleaseContext", "clGetContextInfo",
            "clCreateCommandQueue", "clCreateCommandQueueWithProperties", "clFlush", "clFinish",
            "clRetainCommandQueue", "clReleaseCommandQueue", "clGetCommandQueueInfo",
            "clCreateBuffer", "clEnqueueReadBuffer", "clEnqueueWriteBuffer", "clEnqueueCopyBuffer",
            "clEnqueueFillBuffer", "clRetainMemObject", "clReleaseMemObject", "clGetMemObjectInfo",
            "clCreateProgramWithSource", "clCreateProgramWithBinary", "clBuildProgram", "clGetProgramInfo",
            "clGetProgramBuildInfo", "clRetainProgram", "clReleaseProgram",
            "clCreateKernel", "clCreateKernelsInProgram", "clSetKernelArg", "clGetKernelInfo",
            "clGetKernelWorkGroupInfo", "clGetKernelArgInfo", "clRetainKernel", "clReleaseKernel",
            "clEnqueueNDRangeKernel", "clEnqueueTask", "clEnqueueMarkerWithWaitList", "clEnqueueBarrierWithWaitList",
            "clWaitForEvents", "clGetEventInfo", "clGetEventProfilingInfo", "clRetainEvent", "clReleaseEvent");

    @Test
    void everyEntryMatchesAJoclNativeAndCoverageIsReported() {
        Spec spec = Spec.bundled();
        Map<String, Method> natives = new TreeMap<>();
        for (Method m : CL.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                natives.put(m.getName(), m);
            }
        }
        for (FunctionSpec f : spec.functions()) {
            Method m = natives.containsKey(f.nativeName()) ? natives.get(f.nativeName()) : natives.get(f.name());
            assertNotNull(m, "spec entry " + f.name() + " (line " + f.line() + ") has no JOCL native " + f.nativeName());
            if (f.isSupported()) {
                assertEquals(m.getParameterCount(), f.args().size(),
                        f.name() + ": spec lists " + f.args().size() + " arguments, the native has " + m.getParameterCount());
            }
        }
        java.util.List<String> all = new java.util.ArrayList<>();
        for (Method m : CL.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                all.add(m.getName());
            }
        }
        SpecCoverage coverage = SpecCoverage.of(spec, all);
        System.out.print(coverage.report());
        assertTrue(coverage.missing().isEmpty(), "every JOCL native is remoted or refused: missing " + coverage.missing());
        for (String required : REQUIRED) {
            FunctionSpec f = spec.forNative(required + "Native");
            assertNotNull(f, required + " must be described");
            assertTrue(f.isSupported(), required + " must be remoted");
        }
    }
}
