package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Coarse-grained SVM: CL_DEVICE_SVM_CAPABILITIES, clSVMAlloc, clEnqueueSVMMap/Unmap to fill from the host (through
 * the Pointer's getByteBuffer), clSetKernelArgSVMPointer (also with an offset), a kernel, clEnqueueSVMMemcpy,
 * clEnqueueSVMMemFill, clEnqueueSVMFree with an SVMFreeFunction callback, clSVMFree.
 */
public class SvmCoarse {

    static final String SOURCE = ""
        + "__kernel void addv(__global const int* a, __global const int* b, __global int* c) {\n"
        + "    int i = get_global_id(0); c[i] = a[i] + b[i];\n"
        + "}\n";

    public static void main(String[] args) throws Exception {
        Conf c = Conf.open();
        long caps = deviceLong(c.device, CL_DEVICE_SVM_CAPABILITIES);
        out("CL_DEVICE_SVM_CAPABILITIES: coarse " + ((caps & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) != 0) + ", fine buffer "
            + ((caps & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) != 0) + ", fine system " + ((caps & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM) != 0)
            + ", atomics " + ((caps & CL_DEVICE_SVM_ATOMICS) != 0));
        cl_program program = clCreateProgramWithSource(c.ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 1, new org.jocl.cl_device_id[] {c.device}, "-cl-std=CL2.0", null, null);
        cl_kernel addv = clCreateKernel(program, "addv", null);
        int n = 256;
        long bytes = 4L * n;

        Pointer a = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, bytes, 0);
        Pointer b = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, bytes, 0);
        Pointer sum = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, bytes, 0);
        check("clSVMAlloc returned pointers", a != null && b != null && sum != null);

        // 1. fill a and b through blocking / non-blocking maps
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_WRITE, a, bytes, 0, null, null);
        ByteBuffer ab = a.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            ab.putInt(i * 4, i);
        }
        clEnqueueSVMUnmap(c.queue, a, 0, null, null);
        cl_event me = new cl_event();
        clEnqueueSVMMap(c.queue, CL_FALSE, CL_MAP_WRITE_INVALIDATE_REGION, b, bytes, 0, null, me);
        clWaitForEvents(1, new cl_event[] {me});
        expect("SVM map event command type", "CL_COMMAND_SVM_MAP", stringFor_cl_command_type(eventInt(me, CL_EVENT_COMMAND_TYPE)));
        ByteBuffer bb = b.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            bb.putInt(i * 4, 1000 * i);
        }
        cl_event ue = new cl_event();
        clEnqueueSVMUnmap(c.queue, b, 0, null, ue);

        // 2. a kernel on SVM pointers (one with an offset: b + 4 ints)
        clSetKernelArgSVMPointer(addv, 0, a);
        clSetKernelArgSVMPointer(addv, 1, b);
        clSetKernelArgSVMPointer(addv, 2, sum);
        clEnqueueNDRangeKernel(c.queue, addv, 1, null, new long[] {n}, null, 1, new cl_event[] {ue}, null);
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_READ, sum, bytes, 0, null, null);
        ByteBuffer sb = sum.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        out("a+b: " + sb.getInt(0) + " " + sb.getInt(4) + " ... " + sb.getInt((n - 1) * 4));
        check("a+b", sb.getInt((n - 1) * 4) == 1001 * (n - 1));
        clEnqueueSVMUnmap(c.queue, sum, 0, null, null);
        clSetKernelArgSVMPointer(addv, 1, b.withByteOffset(16));
        clEnqueueNDRangeKernel(c.queue, addv, 1, null, new long[] {n - 4}, null, 0, null, null);
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_READ, sum, bytes, 0, null, null);
        sb = sum.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        out("a + (b offset by 4): " + sb.getInt(0) + " " + sb.getInt(4));
        check("SVM pointer with offset", sb.getInt(0) == 4000 && sb.getInt(4) == 5001);
        clEnqueueSVMUnmap(c.queue, sum, 0, null, null);

        // 3. memcpy (SVM to SVM, SVM to host array, host to SVM) and memfill
        cl_event cpe = new cl_event();
        clEnqueueSVMMemcpy(c.queue, CL_FALSE, sum, a, bytes, 0, null, cpe);
        clWaitForEvents(1, new cl_event[] {cpe});
        expect("memcpy event command type", "CL_COMMAND_SVM_MEMCPY", stringFor_cl_command_type(eventInt(cpe, CL_EVENT_COMMAND_TYPE)));
        // clEnqueueSVMMemcpy with a host array or a direct buffer on one side: PoCL 3.1 answers CL_INVALID_VALUE natively
        // (JOCL hands it no usable host address), so print that and read SVM memory through maps instead
        out("SVM memcpy into an int[] (exceptions on): " + thrown(() -> clEnqueueSVMMemcpy(c.queue, CL_TRUE, Pointer.to(new int[n]), sum,
            bytes, 0, null, null)));
        out("SVM memcpy into a direct buffer (exceptions on): " + thrown(() -> clEnqueueSVMMemcpy(c.queue, CL_TRUE, Pointer.to(direct(64)),
            sum, 64, 0, null, null)));
        // JOCL 2.0.5 takes only the native address of the pattern Pointer: a Pointer.to(int[]) pattern reaches PoCL as NULL
        // and crashes the JVM (SIGSEGV in memcpy), so the pattern lives in SVM memory too
        Pointer pattern = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 8, 0);
        Pointer spare = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 16, 0);
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_WRITE, pattern, 8, 0, null, null);
        pattern.getByteBuffer(0, 8).order(ByteOrder.nativeOrder()).putInt(0, 0x01020304).putShort(4, (short) 5).putShort(6, (short) 6);
        clEnqueueSVMUnmap(c.queue, pattern, 0, null, null);
        // (SVM memfill/memcpy with Pointer.withByteOffset are left out: natively JOCL passes only the base address's
        // field, so an offset pointer arrives as NULL: CL_INVALID_VALUE; clSetKernelArgSVMPointer does honour offsets)
        clEnqueueSVMMemFill(c.queue, a, pattern, 4, bytes, 0, null, null);
        cl_event fille = new cl_event();
        clEnqueueSVMMemFill(c.queue, spare, pattern, 8, 16, 0, null, fille);
        clEnqueueSVMMemcpy(c.queue, CL_FALSE, sum, a, 32, 1, new cl_event[] {fille}, null);
        clEnqueueSVMMemcpy(c.queue, CL_FALSE, sum, spare, 16, 0, null, null);
        clEnqueueSVMMap(c.queue, CL_TRUE, CL_MAP_READ, sum, bytes, 0, null, null);
        ByteBuffer host = sum.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            hex.append(Integer.toHexString(host.getInt(i * 4))).append(' ');
        }
        out("sum after a memfill of a (4-byte pattern), a memcpy a -> sum (32 bytes), then a 16-byte memcpy from an 8-byte-pattern fill: " + hex.toString().trim());
        out("sum[n-1] kept from the earlier memcpy: " + host.getInt((n - 1) * 4));
        clEnqueueSVMUnmap(c.queue, sum, 0, null, null);
        expect("memfill event command type", "CL_COMMAND_SVM_MEMFILL", stringFor_cl_command_type(eventInt(fille, CL_EVENT_COMMAND_TYPE)));
        out("SVM memcpy to a.withByteOffset(4), overlapping a (exceptions on): " + thrown(() -> clEnqueueSVMMemcpy(c.queue, CL_TRUE, a.withByteOffset(4), a, 16, 0,
            null, null)));

        // 4. clEnqueueSVMFree with a callback; clSVMFree for the rest
        List<String> records = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch freed = new CountDownLatch(1);
        cl_event fe = new cl_event();
        clEnqueueSVMFree(c.queue, 2, new Pointer[] {b, sum}, (queue, num, ptrs, data) -> {
            records.add("SVM free callback: " + num + " pointers, same queue " + c.queue.equals(queue) + ", user data " + data
                + ", pointer array length " + (ptrs == null ? "null" : String.valueOf(ptrs.length)));
            freed.countDown();
        }, "svm-data", 0, null, fe);
        clWaitForEvents(1, new cl_event[] {fe});
        check("SVM free callback ran", freed.await(10, TimeUnit.SECONDS));
        records.forEach(Support::out);
        expect("SVM free event command type", "CL_COMMAND_SVM_FREE", stringFor_cl_command_type(eventInt(fe, CL_EVENT_COMMAND_TYPE)));
        cl_event fe2 = new cl_event();
        Pointer d = clSVMAlloc(c.ctx, CL_MEM_READ_ONLY, 64, 0);
        clEnqueueSVMFree(c.queue, 1, new Pointer[] {d}, null, null, 0, null, fe2);
        clFinish(c.queue);
        out("SVM free without a callback: " + status(fe2));
        clSVMFree(c.ctx, a);
        clSVMFree(c.ctx, pattern);
        clSVMFree(c.ctx, spare);

        // errors
        exceptions(false);
        Pointer tooBig = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, deviceLong(c.device, CL_DEVICE_MAX_MEM_ALLOC_SIZE) + 1, 0);
        out("clSVMAlloc above CL_DEVICE_MAX_MEM_ALLOC_SIZE returns null: " + (tooBig == null));
        Pointer zero = clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 0, 0);
        out("clSVMAlloc of 0 bytes returns null: " + (zero == null));
        exceptions(true);
        out("clSVMAlloc of 0 bytes (exceptions on): " + describe(() -> clSVMAlloc(c.ctx, CL_MEM_READ_WRITE, 0, 0)));

        release(me, ue, cpe, fe, fe2, fille);
        clReleaseKernel(addv);
        clReleaseProgram(program);
        c.close();
        finish("SvmCoarse");
    }

    static String describe(Runnable r) {
        try {
            return thrown(r);
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + firstLine(e.getMessage());
        }
    }
}
