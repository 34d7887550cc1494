package io.ava.server.dispatch;

import io.ava.proto.Value;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_kernel;

/**
 * clSetKernelArg with raw bytes where the kernel takes a buffer, image or sampler: the driver would
 * read those bytes as an object pointer and follow it (a SIGSEGV in PoCL that kills every session).
 * Such an argument must name an object of the session (the agent sends Pointer.to(cl_mem) as
 * handle references), or be null or all zero bytes (a NULL object).
 */
final class KernelArgValues {
    private static final int CL_INVALID_MEM_OBJECT = -38;
    private static final int CL_INVALID_SAMPLER = -41;

    private KernelArgValues() {
    }

    static void check(cl_kernel kernel, int index, long argSize, Value value) throws ClError {
        if (kernel == null || argSize != 8 || value.hasRefs() || value.getIsNull() || value.hasOutSize()) {
            return; // an object pointer is 8 bytes; other sizes the driver refuses for such arguments
        }
        if (value.hasData() && allZero(value.getData())) {
            return;
        }
        int[] qualifier = new int[1];
        if (CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER, 4, Pointer.to(qualifier), null)
                != CL.CL_SUCCESS) {
            return; // no such argument, or no argument info: the driver answers the call itself
        }
        String type = KernelMetaProbe.typeName(kernel, index);
        if (qualifier[0] == CL.CL_KERNEL_ARG_ADDRESS_GLOBAL || qualifier[0] == CL.CL_KERNEL_ARG_ADDRESS_CONSTANT
                || KernelMetaProbe.isImage(type)) {
            throw new ClError(CL_INVALID_MEM_OBJECT, "clSetKernelArg: argument " + index + " (" + type
                    + ") takes a memory object, and the value names none of this session's");
        }
        if ("sampler_t".equals(type)) {
            throw new ClError(CL_INVALID_SAMPLER, "clSetKernelArg: argument " + index
                    + " takes a sampler, and the value names none of this session's");
        }
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
