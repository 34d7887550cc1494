package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/** Buffers: host-pointer flags, every kind of host memory JOCL accepts, copy, fill, info queries. */
public class Buffers {

    static final String SOURCE = ""
        + "__kernel void scale(__global int* a) {\n"
        + "    int i = get_global_id(0);\n"
        + "    a[i] = a[i] * 10 + 1;\n"
        + "}\n";

    static cl_context ctx;
    static cl_command_queue queue;
    static cl_kernel scale;

    static void runScale(cl_mem mem, int n) {
        clSetKernelArg(scale, 0, Sizeof.cl_mem, Pointer.to(mem));
        clEnqueueNDRangeKernel(queue, scale, 1, null, new long[] {n}, null, 0, null, null);
        clFinish(queue);
    }

    static int[] readInts(cl_mem mem, int n) {
        int[] r = new int[n];
        clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) Sizeof.cl_int * n, Pointer.to(r), 0, null, null);
        return r;
    }

    static String ints(ByteBuffer b, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = b.getInt(i * 4);
        }
        return Arrays.toString(r);
    }

    static long memLong(cl_mem mem, int param) {
        long[] v = new long[1];
        clGetMemObjectInfo(mem, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static int memInt(cl_mem mem, int param) {
        int[] v = new int[1];
        clGetMemObjectInfo(mem, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    public static void main(String[] args) {
        exceptions(true);
        cl_platform_id platform = firstPlatform();
        cl_device_id device = firstDevice(platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        ctx = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        queue = clCreateCommandQueueWithProperties(ctx, device, null, null);
        cl_program program = clCreateProgramWithSource(ctx, 1, new String[] {SOURCE}, null, null);
        clBuildProgram(program, 0, null, null, null, null);
        scale = clCreateKernel(program, "scale", null);

        // 1. COPY_HOST_PTR from a float[]; the source array is not tied to the buffer afterwards
        float[] floats = {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f};
        cl_mem copied = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * floats.length,
            Pointer.to(floats), null);
        Arrays.fill(floats, -1f);
        float[] back = new float[8];
        clEnqueueReadBuffer(queue, copied, CL_TRUE, 0, (long) Sizeof.cl_float * back.length, Pointer.to(back), 0, null, null);
        out("COPY_HOST_PTR read back: " + Arrays.toString(back));
        check("COPY_HOST_PTR contents", back[7] == 7.5f && back[0] == 0.5f);
        out("COPY_HOST_PTR source array after changing it: " + Arrays.toString(floats));

        // 2. USE_HOST_PTR with a heap int[]: natively the device works on the array's memory
        int[] heap = {1, 2, 3, 4, 5, 6, 7, 8};
        cl_mem useHeap = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, (long) Sizeof.cl_int * heap.length,
            Pointer.to(heap), null);
        runScale(useHeap, heap.length);
        out("USE_HOST_PTR heap array after kernel+finish: " + Arrays.toString(heap));
        int[] r = readInts(useHeap, heap.length);
        out("USE_HOST_PTR heap buffer read: " + Arrays.toString(r));
        check("USE_HOST_PTR heap kernel result", r[0] == 11 && r[7] == 81);
        out("USE_HOST_PTR heap array after blocking read: " + Arrays.toString(heap));
        clEnqueueWriteBuffer(queue, useHeap, CL_TRUE, 0, Sizeof.cl_int * 2L, Pointer.to(new int[] {100, 200}), 0, null, null);
        clFinish(queue);
        out("USE_HOST_PTR heap array after write+finish: " + Arrays.toString(heap));

        // 3. USE_HOST_PTR with a direct buffer
        ByteBuffer direct = ByteBuffer.allocateDirect(Sizeof.cl_int * 8).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 8; i++) {
            direct.putInt(i * 4, i + 1);
        }
        cl_mem useDirect = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, Sizeof.cl_int * 8L, Pointer.to(direct), null);
        runScale(useDirect, 8);
        out("USE_HOST_PTR direct buffer after kernel+finish: " + ints(direct, 8));
        r = readInts(useDirect, 8);
        out("USE_HOST_PTR direct buffer read: " + Arrays.toString(r));
        check("USE_HOST_PTR direct kernel result", r[0] == 11 && r[7] == 81);
        clEnqueueWriteBuffer(queue, useDirect, CL_TRUE, Sizeof.cl_int * 6L, Sizeof.cl_int * 2L, Pointer.to(new int[] {-7, -8}), 0, null,
            null);
        out("USE_HOST_PTR direct buffer after blocking write: " + ints(direct, 8));

        // 4. ALLOC_HOST_PTR
        cl_mem alloc = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, Sizeof.cl_int * 16L, null, null);
        int[] seq = new int[16];
        for (int i = 0; i < seq.length; i++) {
            seq[i] = i * i;
        }
        clEnqueueWriteBuffer(queue, alloc, CL_TRUE, 0, Sizeof.cl_int * 16L, Pointer.to(seq), 0, null, null);
        runScale(alloc, 16);
        r = readInts(alloc, 16);
        out("ALLOC_HOST_PTR after kernel: " + Arrays.toString(r));
        check("ALLOC_HOST_PTR kernel result", r[15] == 2251);

        // 5. blocking write/read with every host memory kind
        cl_mem rw = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 256, null, null);
        float[] fin = new float[64];
        for (int i = 0; i < fin.length; i++) {
            fin[i] = i * 0.25f;
        }
        clEnqueueWriteBuffer(queue, rw, CL_TRUE, 0, 256, Pointer.to(fin), 0, null, null);
        float[] fout = new float[64];
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 256, Pointer.to(fout), 0, null, null);
        check("float[] round trip", Arrays.equals(fin, fout));

        // the same bytes seen as ints: the bit patterns of the floats
        int[] iout = new int[64];
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 256, Pointer.to(iout), 0, null, null);
        out("int[] view of float 1.0 (index 4): " + Integer.toHexString(iout[4]));
        check("int[] view is the float bits", iout[4] == Float.floatToIntBits(1.0f));

        // direct buffer, native order
        ByteBuffer dout = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 256, Pointer.to(dout), 0, null, null);
        out("direct buffer float[5]: " + dout.getFloat(5 * 4));
        check("direct buffer read", dout.getFloat(63 * 4) == 15.75f);
        ByteBuffer din = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        din.putFloat(0, 100f).putFloat(4, 200f).putFloat(8, 300f).putFloat(12, 400f);
        clEnqueueWriteBuffer(queue, rw, CL_TRUE, 0, 16, Pointer.to(din), 0, null, null);

        // a direct buffer whose position is not 0: JOCL ignores the position of a direct buffer
        ByteBuffer positioned = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        positioned.position(16);
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 16, Pointer.to(positioned), 0, null, null);
        out("positioned direct buffer floats 0..7: " + positioned.getFloat(0) + " " + positioned.getFloat(12) + " "
            + positioned.getFloat(16) + " " + positioned.getFloat(28));

        // heap FloatBuffer wrapping an array, with a position
        float[] backing = new float[8];
        FloatBuffer wrapped = FloatBuffer.wrap(backing);
        wrapped.position(2);
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 16, Pointer.to(wrapped), 0, null, null);
        out("wrapped FloatBuffer (position 2) backing array: " + Arrays.toString(backing));

        // a heap IntBuffer slice: JOCL uses the whole backing array
        IntBuffer ib = IntBuffer.allocate(4);
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 16, 16, Pointer.to(ib), 0, null, null);
        out("IntBuffer read (float bits of 1.0,1.25,1.5,1.75): " + Integer.toHexString(ib.get(0)) + " " + Integer.toHexString(ib.get(3)));

        // Pointer withByteOffset on both sides
        float[] window = new float[8];
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 8, 16, Pointer.to(window).withByteOffset(Sizeof.cl_float * 3L), 0, null, null);
        out("read bytes 8..24 into window at offset 3: " + Arrays.toString(window));
        float[] source = {9f, 8f, 7f, 6f, 5f, 4f};
        clEnqueueWriteBuffer(queue, rw, CL_TRUE, Sizeof.cl_float * 10L, Sizeof.cl_float * 2L, Pointer.to(source).withByteOffset(Sizeof.cl_float * 4L),
            0, null, null);
        float[] all = new float[64];
        clEnqueueReadBuffer(queue, rw, CL_TRUE, 0, 256, Pointer.to(all), 0, null, null);
        out("after offset write, floats 8..13: " + all[8] + " " + all[9] + " " + all[10] + " " + all[11] + " " + all[12] + " " + all[13]);
        check("offset write landed", all[10] == 5f && all[11] == 4f && all[9] == 2.25f && all[12] == 3f);

        // non-blocking read into a direct buffer, completed by clFinish
        ByteBuffer async = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        clEnqueueReadBuffer(queue, rw, CL_FALSE, 0, 256, Pointer.to(async), 0, null, null);
        clFinish(queue);
        out("non-blocking read then finish, float[0] float[63]: " + async.getFloat(0) + " " + async.getFloat(63 * 4));
        check("non-blocking read result", async.getFloat(0) == 100f && async.getFloat(63 * 4) == 15.75f);

        // 6. copy and fill
        cl_mem dst = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 256, null, null);
        int[] minusOne = {-1};
        clEnqueueFillBuffer(queue, dst, Pointer.to(minusOne), Sizeof.cl_int, 0, 256, 0, null, null);
        clEnqueueCopyBuffer(queue, rw, dst, 16, 32, 64, 0, null, null);
        clFinish(queue);
        float[] copiedOut = new float[64];
        clEnqueueReadBuffer(queue, dst, CL_TRUE, 0, 256, Pointer.to(copiedOut), 0, null, null);
        out("after fill(-1) and copy of 64 bytes from 16 to 32: [7]=" + Float.floatToRawIntBits(copiedOut[7]) + " [8]=" + copiedOut[8]
            + " [23]=" + copiedOut[23] + " [24]=" + Float.floatToRawIntBits(copiedOut[24]));
        check("copy + fill", copiedOut[8] == 1.0f && copiedOut[23] == 4.75f && Float.floatToRawIntBits(copiedOut[24]) == -1);

        float[] pi = {3.25f};
        clEnqueueFillBuffer(queue, dst, Pointer.to(pi), Sizeof.cl_float, 64, 64, 0, null, null);
        short[] pair = {0x1234};
        clEnqueueFillBuffer(queue, dst, Pointer.to(pair), Sizeof.cl_short, 128, 8, 0, null, null);
        clFinish(queue);
        clEnqueueReadBuffer(queue, dst, CL_TRUE, 0, 256, Pointer.to(copiedOut), 0, null, null);
        int[] asInts = new int[64];
        clEnqueueReadBuffer(queue, dst, CL_TRUE, 0, 256, Pointer.to(asInts), 0, null, null);
        out("float fill 64..128: " + copiedOut[16] + " " + copiedOut[31] + "; short fill 128..136: " + Integer.toHexString(asInts[32])
            + " " + Integer.toHexString(asInts[33]) + " then " + Integer.toHexString(asInts[34]));
        check("fills", copiedOut[16] == 3.25f && asInts[32] == 0x12341234 && asInts[34] == -1);

        // 7. info queries
        expect("CL_MEM_SIZE", 256L, memLong(rw, CL_MEM_SIZE));
        out("CL_MEM_FLAGS of COPY_HOST_PTR buffer: " + stringFor_cl_mem_flags(memLong(copied, CL_MEM_FLAGS)).trim());
        out("CL_MEM_FLAGS of USE_HOST_PTR buffer: " + stringFor_cl_mem_flags(memLong(useHeap, CL_MEM_FLAGS)).trim());
        out("CL_MEM_FLAGS of ALLOC_HOST_PTR buffer: " + stringFor_cl_mem_flags(memLong(alloc, CL_MEM_FLAGS)).trim());
        expect("CL_MEM_TYPE", CL_MEM_OBJECT_BUFFER, memInt(rw, CL_MEM_TYPE));
        cl_context memCtx = new cl_context();
        clGetMemObjectInfo(rw, CL_MEM_CONTEXT, Sizeof.cl_context, Pointer.to(memCtx), null);
        check("CL_MEM_CONTEXT equals context", ctx.equals(memCtx));
        expect("CL_MEM_REFERENCE_COUNT", 1, memInt(rw, CL_MEM_REFERENCE_COUNT));
        clRetainMemObject(rw);
        expect("CL_MEM_REFERENCE_COUNT after retain", 2, memInt(rw, CL_MEM_REFERENCE_COUNT));
        clReleaseMemObject(rw);
        expect("CL_MEM_REFERENCE_COUNT after release", 1, memInt(rw, CL_MEM_REFERENCE_COUNT));
        out("CL_MEM_HOST_PTR of a plain buffer is null: " + (memLong(rw, CL_MEM_HOST_PTR) == 0));

        // 8. errors on buffers
        out("copy out of range (exceptions on): " + thrown(() -> clEnqueueCopyBuffer(queue, rw, dst, 200, 0, 100, 0, null, null)));
        out("fill with pattern size 3 (exceptions on): "
            + thrown(() -> clEnqueueFillBuffer(queue, dst, Pointer.to(new byte[3]), 3, 0, 9, 0, null, null)));
        out("USE_HOST_PTR without host pointer (exceptions on): "
            + thrown(() -> clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, 16, null, null)));
        exceptions(false);
        expectError("copy out of range (exceptions off)", CL_INVALID_VALUE, clEnqueueCopyBuffer(queue, rw, dst, 200, 0, 100, 0, null, null));
        expectError("fill with pattern size 3 (exceptions off)", CL_INVALID_VALUE,
            clEnqueueFillBuffer(queue, dst, Pointer.to(new byte[3]), 3, 0, 9, 0, null, null));
        int[] err = new int[1];
        clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, 16, null, err);
        expectError("USE_HOST_PTR without host pointer (exceptions off)", CL_INVALID_HOST_PTR, err[0]);
        exceptions(true);

        for (cl_mem m : new cl_mem[] {copied, useHeap, useDirect, alloc, rw, dst}) {
            clReleaseMemObject(m);
        }
        clReleaseKernel(scale);
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(ctx);
        finish("Buffers");
    }
}
