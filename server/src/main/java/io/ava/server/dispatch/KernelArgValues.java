package io.ava.server.dispatch;

import io.ava.proto.Value;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_kernel;

/**
 * clSetKernelArg with raw bytes where the kernel takes a buffer, image or sampler: the driver would
 * read those bytes as an object pointer and follow it (a SIGSEGV in PoCL that kills every session).
 * Such an argument must name an object of the session of the right type (the agent sends
 * Pointer.to(cl_mem) as handle references), or be null or all zero bytes (a NULL object).
 */
final class KernelArgValues {
    private static final int CL_INVALID_MEM_OBJECT = -38;
    private static final int CL_INVALID_SAMPLER = -41;

    private KernelArgValues() {
    }

    static void check(cl_kernel kernel, int index, long argSize, Value value) throws ClError {
        if (kernel == null || argSize != 8 || value.getIsNull()) {
            return; // an object pointer is 8 bytes; other sizes the driver refuses for such arguments
        }
        if (!value.hasRefs() && value.hasData() && allZero(value.getData())) {
            return;
        }
        if (value.hasRefs() && (value.getRefs().getIdsCount() == 0 || value.getRefs().getIds(0) == 0)) {
            return; // no handle (the size check refuses it) or a NULL object
        }
        int[] qualifier = new int[1];
        if (CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER, 4, Pointer.to(qualifier), null)
                != CL.CL_SUCCESS) {
            return; // no such argument, or no argument info: the driver answers the call itself
        }
        String type = KernelMetaProbe.typeName(kernel, index);
        HandleType wanted = qualifier[0] == CL.CL_KERNEL_ARG_ADDRESS_GLOBAL || qualifier[0] == CL.CL_KERNEL_ARG_ADDRESS_CONSTANT
                || KernelMetaProbe.isImage(type) ? HandleType.cl_mem : "sampler_t".equals(type) ? HandleType.cl_sampler : null;
        if (wanted == null) {
            return; // plain bytes: the driver copies them
        }
        // only a handle of the session, of the right type, is followed safely: the driver reads any other
        // object (a kernel where a buffer belongs) or raw bytes as the object it expects
        if (value.hasRefs() && value.getRefs().getTypes(0) == wanted.ordinal()) {
            return;
        }
        String what = value.hasRefs() ? "a " + HandleType.values()[Math.min(value.getRefs().getTypes(0), HandleType.values().length - 1)]
                : "raw bytes";
        throw new ClError(wanted == HandleType.cl_mem ? CL_INVALID_MEM_OBJECT : CL_INVALID_SAMPLER, "clSetKernelArg: argument "
                + index + " (" + type + ") takes a " + (wanted == HandleType.cl_mem ? "memory object" : "sampler")
                + ", and the value is " + what);
    }

    private static boolean allZero(com.google.protobuf.ByteString data) {
        for (int i = 0; i < data.size(); i++) {
            if (data.byteAt(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
