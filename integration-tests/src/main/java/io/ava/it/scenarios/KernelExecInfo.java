package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * clSetKernelExecInfo (CL_KERNEL_EXEC_INFO_SVM_PTRS,
 * CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM), clGetKernelArgInfo with and without -cl-kernel-arg-info.
 */
public class KernelExecInfo {

    static final String SOURCE = ""
        + "__kernel void indirect(__global int* p, const int v) { p[get_global_id(0)] = v + (int) get_global_id(0); }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = clCreateProgramWithSource(c.ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 1, new org.jocl.cl_device_id[] {c.device}, "-cl-std=CL2.0", null, null);
        cl_kernel k = clCreateKernel(program, "indirect", null);

        // 1. CL_KERNEL_EXEC_INFO_SVM_PTRS naming two SVM blocks, then a kernel on one of them. (A kernel that follows a
        // pointer stored inside SVM memory is not used: it needs the device address in host memory, which a remoted
        // application cannot know.)
        Pointer target = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 64, 0);
        Pointer other = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 64, 0);
        int rc = clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, 2L * Sizeof.POINTER, Pointer.to(target, other));
        expectError("clSetKernelExecInfo(SVM_PTRS, two pointers)", CL_SUCCESS, rc);
        clSetKernelArgSVMPointer(k, 0, target);
        clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {500}));
        clEnqueueNDRangeKernel(c.queue, k, 1, null, new long[] {16}, null, 0, null, null);
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_READ, target, 64, 0, null, null);
        ByteBuffer tb = target.getByteBuffer(0, 64).order(ByteOrder.nativeOrder());
        out("kernel after SVM_PTRS exec info: " + tb.getInt(0) + " " + tb.getInt(4) + " " + tb.getInt(60));
        check("kernel result", tb.getInt(60) == 515);
        clEnqueueSVMUnmap(c.queue, target, 0, null, null);
        clFinish(c.queue);

        // 2. fine-grain-system exec info (the device has no fine-grained system SVM)
        exceptions(false);
        rc = clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, Sizeof.cl_int, Pointer.to(new int[] {1}));
        out("clSetKernelExecInfo(SVM_FINE_GRAIN_SYSTEM=true): " + stringFor_errorCode(rc));
        rc = clSetKernelExecInfo(k, 0x7777, Sizeof.cl_int, Pointer.to(new int[] {1}));
        out("clSetKernelExecInfo(unknown name): " + stringFor_errorCode(rc));
        exceptions(true);

        // 3. clGetKernelArgInfo: the program was built without -cl-kernel-arg-info
        exceptions(false);
        long[] size = new long[1];
        rc = clGetKernelArgInfo(k, 1, CL_KERNEL_ARG_NAME, 0, null, size);
        out("clGetKernelArgInfo(NAME) without -cl-kernel-arg-info: " + stringFor_errorCode(rc));
        int[] q = new int[1];
        rc = clGetKernelArgInfo(k, 0, CL_KERNEL_ARG_ADDRESS_QUALIFIER, Sizeof.cl_int, Pointer.to(q), null);
        out("clGetKernelArgInfo(ADDRESS_QUALIFIER) without -cl-kernel-arg-info: " + stringFor_errorCode(rc)
            + (rc == CL_SUCCESS ? " " + Integer.toHexString(q[0]) : ""));
        exceptions(true);
        cl_program withInfo = clCreateProgramWithSource(c.ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(withInfo, 1, new org.jocl.cl_device_id[] {c.device}, "-cl-std=CL2.0 -cl-kernel-arg-info", null, null);
        cl_kernel k2 = clCreateKernel(withInfo, "indirect", null);
        clGetKernelArgInfo(k2, 1, CL_KERNEL_ARG_NAME, 0, null, size);
        byte[] name = new byte[(int) size[0]];
        clGetKernelArgInfo(k2, 1, CL_KERNEL_ARG_NAME, name.length, Pointer.to(name), null);
        out("with -cl-kernel-arg-info, arg 1 name: " + cString(name));
        clGetKernelArgInfo(k2, 0, CL_KERNEL_ARG_TYPE_NAME, 0, null, size);
        byte[] tname = new byte[(int) size[0]];
        clGetKernelArgInfo(k2, 0, CL_KERNEL_ARG_TYPE_NAME, tname.length, Pointer.to(tname), null);
        out("arg 0 type name: " + cString(tname));
        out("arg index out of range (exceptions on): " + thrown(() -> clGetKernelArgInfo(k2, 5, CL_KERNEL_ARG_NAME, 0, null, new long[1])));

        clSVMFree(c.ctx, target);
        clSVMFree(c.ctx, other);
        release(k, k2);
        clReleaseProgram(program);
        clReleaseProgram(withInfo);
        c.close();
        finish("KernelExecInfo");
    }
}
