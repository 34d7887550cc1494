package io.ava.it.scenarios;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * Small helpers shared by the scenario programs. Nothing here prints handle
 * values or timings: the output of a scenario must be identical natively and
 * under the ava agent.
 */
final class Support {

    private static int failures;
    private static boolean exceptionsOn;

    private Support() {
    }

    /** Prints a line (stdout is flushed per line so a killed JVM loses nothing). */
    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Records a check: prints "label: true|false"; a false counts as a wrong result. */
    static void check(String label, boolean ok) {
        out(label + ": " + ok);
        if (!ok) {
            failures++;
            out("WRONG RESULT: " + label);
        }
    }

    /** Records an expected value. */
    static void expect(String label, Object expected, Object actual) {
        boolean ok = expected == null ? actual == null : expected.equals(actual);
        out(label + ": " + actual + (ok ? "" : " (expected " + expected + ")"));
        if (!ok) {
            failures++;
            out("WRONG RESULT: " + label);
        }
    }

    /** Records an expected error code. */
    static void expectError(String label, int expected, int actual) {
        expect(label, CL.stringFor_errorCode(expected), CL.stringFor_errorCode(actual));
    }

    static void fail(String why) {
        failures++;
        out("WRONG RESULT: " + why);
    }

    /** Exit 0 if every check passed, else 1. */
    static void finish(String scenario) {
        if (failures == 0) {
            out(scenario + ": OK");
            System.exit(0);
        }
        out(scenario + ": " + failures + " wrong result(s)");
        System.exit(1);
    }

    /** The first line of an exception message (JOCL appends build logs, which may hold paths). */
    static String firstLine(String message) {
        if (message == null) {
            return "null";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Switches JOCL exceptions and remembers the setting (JOCL has no getter). */
    static void exceptions(boolean on) {
        exceptionsOn = on;
        CL.setExceptionsEnabled(on);
    }

    /** Runs a call with exceptions enabled and returns what was thrown (or "no exception"). */
    static String thrown(Runnable call) {
        boolean before = exceptionsOn;
        CL.setExceptionsEnabled(true);
        try {
            call.run();
            return "no exception";
        } catch (CLException e) {
            return "CLException status=" + CL.stringFor_errorCode(e.getStatus()) + " message=" + firstLine(e.getMessage());
        } finally {
            CL.setExceptionsEnabled(before);
        }
    }

    static cl_platform_id firstPlatform() {
        int[] n = new int[1];
        clGetPlatformIDs(0, null, n);
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        return platforms[0];
    }

    static cl_device_id firstDevice(cl_platform_id platform) {
        int[] n = new int[1];
        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, n);
        cl_device_id[] devices = new cl_device_id[n[0]];
        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
        return devices[0];
    }

    static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(platform, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetPlatformInfo(platform, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(device, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetDeviceInfo(device, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    static long deviceLong(cl_device_id device, int param) {
        long[] value = new long[1];
        clGetDeviceInfo(device, param, Sizeof.cl_long, Pointer.to(value), null);
        return value[0];
    }

    static int deviceInt(cl_device_id device, int param) {
        int[] value = new int[1];
        clGetDeviceInfo(device, param, Sizeof.cl_int, Pointer.to(value), null);
        return value[0];
    }

    /** size_t queries: read into a native-order direct buffer so this works for 4- and 8-byte size_t. */
    static long deviceSize(cl_device_id device, int param) {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        clGetDeviceInfo(device, param, Sizeof.size_t, Pointer.to(b), null);
        return Sizeof.size_t == 8 ? b.getLong(0) : b.getInt(0);
    }

    static String programString(cl_program program, int param) {
        long[] size = new long[1];
        clGetProgramInfo(program, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetProgramInfo(program, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    static String kernelString(cl_kernel kernel, int param) {
        long[] size = new long[1];
        clGetKernelInfo(kernel, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetKernelInfo(kernel, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    static int kernelInt(cl_kernel kernel, int param) {
        int[] value = new int[1];
        clGetKernelInfo(kernel, param, Sizeof.cl_int, Pointer.to(value), null);
        return value[0];
    }

    static String cString(byte[] bytes) {
        int len = 0;
        while (len < bytes.length && bytes[len] != 0) {
            len++;
        }
        return new String(bytes, 0, len, StandardCharsets.UTF_8).trim();
    }

    /** Builds a program, printing nothing; on failure prints the status and returns null. */
    static cl_program buildProgram(org.jocl.cl_context context, cl_device_id device, String source, String options) {
        cl_program program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        return program;
    }
}
