package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jocl.Pointer;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Fine-grained SVM: the capability bits; clSVMAlloc with CL_MEM_SVM_FINE_GRAIN_BUFFER (and with SVM_ATOMICS); where it
 * works, host writes without a map, a kernel, the result read by the host after clFinish without a map.
 */
public class SvmFineGrained {

    static final String SOURCE = "__kernel void dbl(__global int* a) { int i = get_global_id(0); a[i] = a[i] * 2 + 1; }\n";

    public static void main(String[] args) {
        Conf c = Conf.open();
        long caps = deviceLong(c.device, CL_DEVICE_SVM_CAPABILITIES);
        boolean fine = (caps & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) != 0;
        out("CL_DEVICE_SVM_FINE_GRAIN_BUFFER: " + fine);
        out("CL_DEVICE_SVM_ATOMICS: " + ((caps & CL_DEVICE_SVM_ATOMICS) != 0));
        exceptions(false);
        int n = 64;
        Pointer p = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER, 4L * n, 0);
        out("clSVMAlloc(FINE_GRAIN_BUFFER) returned null: " + (p == null));
        Pointer q = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS, 64, 0);
        out("clSVMAlloc(FINE_GRAIN_BUFFER|SVM_ATOMICS) returned null: " + (q == null));
        Pointer r = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_ATOMICS, 64, 0);
        out("clSVMAlloc(SVM_ATOMICS without FINE_GRAIN_BUFFER) returned null: " + (r == null));
        exceptions(true);

        if (p != null) {
            // the host writes without a map: fine-grained memory is shared
            ByteBuffer hb = p.getByteBuffer(0, 4L * n).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                hb.putInt(i * 4, i);
            }
            cl_program program = clCreateProgramWithSource(c.ctx, 1, new String[] {SOURCE}, null, null);
            clBuildProgram(program, 1, new org.jocl.cl_device_id[] {c.device}, "-cl-std=CL2.0", null, null);
            cl_kernel dbl = clCreateKernel(program, "dbl", null);
            clSetKernelArgSVMPointer(dbl, 0, p);
            clEnqueueNDRangeKernel(c.queue, dbl, 1, null, new long[] {n}, null, 0, null, null);
            clFinish(c.queue);
            out("host reads after clFinish without a map: " + hb.getInt(0) + " " + hb.getInt(4) + " " + hb.getInt((n - 1) * 4));
            check("fine-grained kernel result", hb.getInt((n - 1) * 4) == 2 * (n - 1) + 1);
            clReleaseKernel(dbl);
            clReleaseProgram(program);
            clSVMFree(c.ctx, p);
        }
        if (q != null) {
            clSVMFree(c.ctx, q);
        }
        if (r != null) {
            clSVMFree(c.ctx, r);
        }
        c.close();
        finish("SvmFineGrained");
    }
}
