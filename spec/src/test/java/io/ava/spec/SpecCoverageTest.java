package io.ava.spec;

import org.jocl.CL;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
            if (Modifier.isNative(m.getModifiers()) && m.getName().startsWith("cl")) {
                natives.put(m.getName(), m);
            }
        }
        for (FunctionSpec f : spec.functions()) {
            Method m = natives.get(f.nativeName());
            assertNotNull(m, "spec entry " + f.name() + " (line " + f.line() + ") has no JOCL native " + f.nativeName());
            if (f.isSupported()) {
                assertEquals(m.getParameterCount(), f.args().size(),
                        f.name() + ": spec lists " + f.args().size() + " arguments, the native has " + m.getParameterCount());
            }
        }
        int remoted = 0;
        Map<String, Integer> refusedByReason = new TreeMap<>();
        TreeSet<String> missing = new TreeSet<>();
        for (String n : natives.keySet()) {
            FunctionSpec f = spec.forNative(n);
            if (f == null) {
                missing.add(n.substring(0, n.length() - "Native".length()));
            } else if (f.isSupported()) {
                remoted++;
            } else {
                refusedByReason.merge(f.unsupported(), 1, Integer::sum);
            }
        }
        System.out.printf("spec coverage: %d JOCL natives; %d remoted, %d refused, %d not yet described%n",
                natives.size(), remoted, refusedByReason.values().stream().mapToInt(i -> i).sum(), missing.size());
        refusedByReason.forEach((reason, n) -> System.out.printf("  refused (%d): %s%n", n, reason));
        System.out.println("  not yet described: " + missing.stream().collect(Collectors.joining(", ")));
        for (String required : REQUIRED) {
            FunctionSpec f = spec.forNative(required + "Native");
            assertNotNull(f, required + " must be described");
            assertTrue(f.isSupported(), required + " must be remoted");
        }
    }
}
