package io.ava.server.migration;

import io.ava.proto.ContentChunk;
import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/** Writes the source's bytes into the replayed objects on the target, chunk by chunk. */
final class ContentWriter implements AutoCloseable {
    private final HandleTable table;
    private final ContextQueues queues = new ContextQueues();
    /** objects whose chunks are gathered before one write (images, SVM, staged buffers, image-map copies) */
    private final Map<Long, ByteBuffer> gathering = new HashMap<>();
    /** the host copies of open image maps, by map id, for the commit */
    final Map<Long, ByteBuffer> imageMapCopies = new HashMap<>();
    long nanos;

    ContentWriter(HandleTable table) {
        this.table = table;
    }

    void write(ContentChunk c) throws MigrationException {
        long t = System.nanoTime();
        try {
            if (c.getKind() == Contents.BUFFER && !stagedBuffer(c)) {
                cl_mem mem = mem(c.getObject());
                if (c.getOffset() < 0 || c.getOffset() + c.getData().size() > c.getTotal()) {
                    throw new MigrationException("a chunk of buffer " + c.getObject() + " lies outside it");
                }
                if (c.getData().isEmpty()) {
                    return;
                }
                ByteBuffer data = ByteBuffer.allocateDirect(c.getData().size());
                c.getData().copyTo(data);
                int rc = CL.clEnqueueWriteBuffer(queues.forMem(mem), mem, true, c.getOffset(), data.capacity(),
                        Pointer.to(data), 0, null, null);
                if (rc != CL.CL_SUCCESS) {
                    throw new MigrationException("writing buffer " + c.getObject() + " failed with error " + rc);
                }
                return;
            }
            ByteBuffer whole = gather(c);
            if (whole != null) {
                complete(c, whole);
            }
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    /** Buffers the host may not write are gathered, then copied in through a staging buffer. */
    private boolean stagedBuffer(ContentChunk c) throws MigrationException {
        long[] flags = new long[1];
        CL.clGetMemObjectInfo(mem(c.getObject()), CL.CL_MEM_FLAGS, 8, Pointer.to(flags), null);
        return (flags[0] & (Contents.CL_MEM_HOST_READ_ONLY | Contents.CL_MEM_HOST_NO_ACCESS)) != 0;
    }

    private ByteBuffer gather(ContentChunk c) throws MigrationException {
        if (c.getTotal() > Integer.MAX_VALUE || c.getOffset() < 0 || c.getOffset() + c.getData().size() > c.getTotal()) {
            throw new MigrationException("a chunk of object " + c.getObject() + " lies outside it");
        }
        long key = c.getObject() * 4 + c.getKind();
        ByteBuffer buf = gathering.computeIfAbsent(key,
                k -> ByteBuffer.allocateDirect((int) Math.max(1, c.getTotal())).order(ByteOrder.nativeOrder()));
        ByteBuffer dst = buf.duplicate();
        dst.position((int) c.getOffset());
        c.getData().copyTo(dst);
        if (c.getOffset() + c.getData().size() < c.getTotal()) {
            return null;
        }
        gathering.remove(key);
        return buf;
    }

    private void complete(ContentChunk c, ByteBuffer whole) throws MigrationException {
        switch (c.getKind()) {
            case Contents.BUFFER -> {
                cl_mem mem = mem(c.getObject());
                cl_command_queue q = queues.forMem(mem);
                long[] ctx = new long[1];
                CL.clGetMemObjectInfo(mem, CL.CL_MEM_CONTEXT, 8, Pointer.to(ctx), null);
                int[] err = new int[1];
                cl_mem staging = CL.clCreateBuffer((org.jocl.cl_context) io.ava.server.dispatch.NativePointers.wrap(
                        HandleType.cl_context, ctx[0]), CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, Math.max(1, c.getTotal()),
                        Pointer.to(whole), err);
                if (err[0] != CL.CL_SUCCESS) {
                    throw new MigrationException("no memory to stage buffer " + c.getObject() + " (error " + err[0] + ")");
                }
                int rc = CL.clEnqueueCopyBuffer(q, staging, mem, 0, 0, c.getTotal(), 0, null, null);
                CL.clFinish(q);
                CL.clReleaseMemObject(staging);
                if (rc != CL.CL_SUCCESS) {
                    throw new MigrationException("writing buffer " + c.getObject() + " failed with error " + rc);
                }
            }
            case Contents.IMAGE -> {
                cl_mem image = mem(c.getObject());
                int[] type = new int[1];
                CL.clGetMemObjectInfo(image, CL.CL_MEM_TYPE, 4, Pointer.to(type), null);
                int rc = CL.clEnqueueWriteImage(queues.forMem(image), image, true, new long[3],
                        Contents.imageRegion(image, type[0]), 0, 0, Pointer.to(whole), 0, null, null);
                if (rc != CL.CL_SUCCESS) {
                    throw new MigrationException("writing image " + c.getObject() + " failed with error " + rc);
                }
            }
            case Contents.SVM -> {
                HandleTable.SvmAllocation a = table.svm(c.getObject());
                if (a == null || a.size() != c.getTotal()) {
                    throw new MigrationException("no SVM allocation " + c.getObject() + " of " + c.getTotal() + " bytes was replayed");
                }
                a.pointer().getByteBuffer(0, a.size()).put(whole.duplicate().clear().limit((int) c.getTotal()));
            }
            case Contents.IMAGE_MAP -> imageMapCopies.put(c.getObject(), whole);
            default -> throw new MigrationException("unknown content kind " + c.getKind());
        }
    }

    private cl_mem mem(long id) throws MigrationException {
        try {
            return (cl_mem) table.lookup(id, HandleType.cl_mem).object();
        } catch (io.ava.server.dispatch.ClError e) {
            throw new MigrationException("contents for memory object " + id + ", which the replay did not create");
        }
    }

    ContextQueues queues() {
        return queues;
    }

    @Override
    public void close() {
        queues.close();
    }
}
