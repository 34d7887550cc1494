package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.lang.reflect.Field;

import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Names objects this session never created, under the agent: ids another session holds (arguments:
 * the first and last id to try) and guessed ones. Each must fail with the invalid-object error of its
 * type, and this session's own objects must keep working. Remote only.
 */
public class ForgedHandles {
    static <T extends NativePointerObject> T forged(T object, long id) throws Exception {
        Field f = NativePointerObject.class.getDeclaredField("nativePointer");
        f.setAccessible(true);
        f.setLong(object, id);
        return object;
    }

    public static void main(String[] args) throws Exception {
        long first = args.length > 0 ? Long.parseLong(args[0]) : 1;
        long last = args.length > 1 ? Long.parseLong(args[1]) : 64;
        Conf c = Conf.open();
        cl_mem mine = c.ints(7, 8, 9);
        exceptions(false);
        long[] size = new long[1];
        int wrongMem = 0;
        int wrongKernel = 0;
        int wrongQueue = 0;
        int wrongContext = 0;
        int wrongProgram = 0;
        int tried = 0;
        java.util.Set<Long> own = new java.util.HashSet<>();
        for (NativePointerObject o : new NativePointerObject[] {c.ctx, c.queue, mine}) {
            Field f = NativePointerObject.class.getDeclaredField("nativePointer");
            f.setAccessible(true);
            own.add(f.getLong(o));
        }
        for (long id = first; id <= last; id++) {
            if (own.contains(id)) {
                continue; // this session's own ids (each session counts from 1)
            }
            tried++;
            if (clGetMemObjectInfo(forged(new cl_mem(), id), CL_MEM_SIZE, 8, Pointer.to(size), null) != CL_INVALID_MEM_OBJECT) {
                wrongMem++;
            }
            if (clGetKernelInfo(forged(new cl_kernel(), id), CL_KERNEL_NUM_ARGS, 4, Pointer.to(new int[1]), null) != CL_INVALID_KERNEL) {
                wrongKernel++;
            }
        }
        // guessed ids
        for (long id = first; id <= last; id++) {
            if (clFinish(forged(new cl_command_queue(), (1L << 40) + id * 7919)) != CL_INVALID_COMMAND_QUEUE) {
                wrongQueue++;
            }
            int[] err = new int[1];
            clCreateBuffer(forged(new cl_context(), (1L << 40) + id * 7919), CL_MEM_READ_WRITE, 16, null, err);
            if (err[0] != CL_INVALID_CONTEXT) {
                wrongContext++;
            }
            clCreateKernel(forged(new cl_program(), (1L << 40) + id * 7919), "k", err);
            if (err[0] != CL_INVALID_PROGRAM) {
                wrongProgram++;
            }
        }
        out("ids tried: " + tried);
        expect("forged cl_mem not refused with CL_INVALID_MEM_OBJECT", 0, wrongMem);
        expect("forged cl_kernel not refused with CL_INVALID_KERNEL", 0, wrongKernel);
        expect("forged queue not refused with CL_INVALID_COMMAND_QUEUE", 0, wrongQueue);
        expect("forged context not refused with CL_INVALID_CONTEXT", 0, wrongContext);
        expect("forged program not refused with CL_INVALID_PROGRAM", 0, wrongProgram);
        exceptions(true);
        expect("own buffer still reads", "[7, 8, 9]", java.util.Arrays.toString(c.read(mine, 3)));
        clReleaseMemObject(mine);
        c.close();
        finish("ForgedHandles");
    }
}
