package io.ava.server.dispatch;

import io.ava.proto.Call;
import io.ava.proto.KernelArgMeta;
import io.ava.proto.KernelMeta;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns, when a kernel is created, what the agent needs to check clSetKernelArg and
 * clEnqueueNDRangeKernel locally: each argument's kind and size, the work-group limits.
 * Where the driver cannot say, the kind stays unknown and the agent makes a round trip.
 */
final class KernelMetaProbe {
    static final int KIND_UNKNOWN = 0;
    static final int KIND_MEMORY = 1;
    static final int KIND_LOCAL = 2;
    static final int KIND_VALUE = 3;
    static final int KIND_SAMPLER = 4;

    private static final Map<String, Integer> SCALAR_SIZES = Map.ofEntries(
            Map.entry("char", 1), Map.entry("uchar", 1), Map.entry("bool", 1),
            Map.entry("short", 2), Map.entry("ushort", 2), Map.entry("half", 2),
            Map.entry("int", 4), Map.entry("uint", 4), Map.entry("float", 4),
            Map.entry("long", 8), Map.entry("ulong", 8), Map.entry("double", 8),
            Map.entry("size_t", 8), Map.entry("ptrdiff_t", 8), Map.entry("intptr_t", 8), Map.entry("uintptr_t", 8),
            Map.entry("unsigned int", 4), Map.entry("unsigned char", 1), Map.entry("unsigned short", 2),
            Map.entry("unsigned long", 8));
    private static final Pattern VECTOR = Pattern.compile("([a-z]+)(2|3|4|8|16)");

    KernelMeta probe(cl_kernel kernel, cl_program program, Call call) {
        KernelMeta.Builder meta = KernelMeta.newBuilder();
        int[] numArgs = new int[1];
        if (CL.clGetKernelInfo(kernel, CL.CL_KERNEL_NUM_ARGS, 4, Pointer.to(numArgs), null) != CL.CL_SUCCESS) {
            return meta.build();
        }
        for (int i = 0; i < numArgs[0]; i++) {
            meta.addArgs(argMeta(kernel, i));
        }
        int[] numDevices = new int[1];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_NUM_DEVICES, 4, Pointer.to(numDevices), null);
        cl_device_id[] devices = new cl_device_id[numDevices[0]];
        for (int d = 0; d < devices.length; d++) {
            devices[d] = new cl_device_id();
        }
        if (devices.length > 0) {
            CL.clGetProgramInfo(program, CL.CL_PROGRAM_DEVICES, 8L * devices.length, Pointer.to(devices), null);
        }
        long wg = Long.MAX_VALUE;
        long[] items = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        for (cl_device_id d : devices) {
            long[] size = new long[1];
            if (CL.clGetKernelWorkGroupInfo(kernel, d, CL.CL_KERNEL_WORK_GROUP_SIZE, 8, Pointer.to(size), null) == CL.CL_SUCCESS) {
                wg = Math.min(wg, size[0]);
            }
            long[] dims = new long[3];
            if (CL.clGetDeviceInfo(d, CL.CL_DEVICE_MAX_WORK_ITEM_SIZES, 24, Pointer.to(dims), null) == CL.CL_SUCCESS) {
                for (int k = 0; k < 3; k++) {
                    items[k] = Math.min(items[k], dims[k]);
                }
            }
        }
        if (wg != Long.MAX_VALUE && devices.length == 1) {
            // With several devices the limit depends on the queue's device: leave it to the server.
            meta.setWorkGroupSize(wg);
            for (long x : items) {
                meta.addMaxWorkItemSizes(x);
            }
        }
        return meta.build();
    }

    private static KernelArgMeta argMeta(cl_kernel kernel, int index) {
        int[] qualifier = new int[1];
        if (CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER, 4, Pointer.to(qualifier), null)
                != CL.CL_SUCCESS) {
            return KernelArgMeta.newBuilder().setKind(KIND_UNKNOWN).build();
        }
        String type = typeName(kernel, index);
        switch (qualifier[0]) {
            case CL.CL_KERNEL_ARG_ADDRESS_LOCAL:
                return KernelArgMeta.newBuilder().setKind(KIND_LOCAL).build();
            case CL.CL_KERNEL_ARG_ADDRESS_GLOBAL:
            case CL.CL_KERNEL_ARG_ADDRESS_CONSTANT:
                return KernelArgMeta.newBuilder().setKind(type != null && type.endsWith("*") || isImage(type)
                        ? KIND_MEMORY : KIND_UNKNOWN).setSize(8).build();
            default:
                if (type == null) {
                    return KernelArgMeta.newBuilder().setKind(KIND_UNKNOWN).build();
                }
                if (type.equals("sampler_t")) {
                    return KernelArgMeta.newBuilder().setKind(KIND_SAMPLER).setSize(8).build();
                }
                if (isImage(type)) {
                    return KernelArgMeta.newBuilder().setKind(KIND_MEMORY).setSize(8).build();
                }
                long size = valueSize(type);
                return KernelArgMeta.newBuilder().setKind(size > 0 ? KIND_VALUE : KIND_UNKNOWN).setSize(Math.max(size, 0)).build();
        }
    }

    static boolean isImage(String type) {
        return type != null && (type.startsWith("image") || type.startsWith("pipe"));
    }

    static String typeName(cl_kernel kernel, int index) {
        long[] size = new long[1];
        if (CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_TYPE_NAME, 0, null, size) != CL.CL_SUCCESS || size[0] <= 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocateDirect((int) size[0]).order(ByteOrder.nativeOrder());
        if (CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_TYPE_NAME, size[0], Pointer.to(b), null) != CL.CL_SUCCESS) {
            return null;
        }
        byte[] bytes = new byte[(int) size[0]];
        b.get(bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end).trim();
    }

    /** Bytes of a by-value argument type, or -1 when not known (structs, typedefs). */
    static long valueSize(String type) {
        Integer s = SCALAR_SIZES.get(type);
        if (s != null) {
            return s;
        }
        Matcher m = VECTOR.matcher(type);
        if (m.matches()) {
            Integer e = SCALAR_SIZES.get(m.group(1));
            if (e != null) {
                int n = Integer.parseInt(m.group(2));
                return (long) e * (n == 3 ? 4 : n);
            }
        }
        return -1;
    }
}
