package io.ava.server.migration;

import com.google.protobuf.ByteString;
import io.ava.proto.ContentChunk;
import io.ava.proto.MigrationPacket;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads each object's bytes on the source and sends them to the peer in chunks. */
final class ContentReader {
    static final int CHUNK = 4 << 20;

    private final ContextQueues queues;
    private final PeerLink link;
    /** time spent reading from the device, as opposed to sending */
    long readNanos;

    ContentReader(ContextQueues queues, PeerLink link) {
        this.queues = queues;
        this.link = link;
    }

    void send(Contents contents) throws MigrationException {
        ByteBuffer staging = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.nativeOrder());
        for (Contents.Item item : contents.items) {
            switch (item.kind()) {
                case Contents.BUFFER -> buffer(item, staging);
                case Contents.IMAGE -> whole(item, readImage(item));
                case Contents.SVM -> whole(item, item.svm().getByteBuffer(0, item.bytes()));
                default -> whole(item, item.hostCopy().duplicate().clear());
            }
        }
    }

    private void buffer(Contents.Item item, ByteBuffer staging) throws MigrationException {
        cl_command_queue q = queues.forMem(item.mem());
        cl_mem source = item.mem();
        cl_mem copy = null;
        long t0 = System.nanoTime();
        if ((item.flags() & (Contents.CL_MEM_HOST_WRITE_ONLY | Contents.CL_MEM_HOST_NO_ACCESS)) != 0) {
            // the host may not read it: copy it into a buffer the host may read
            copy = hostReadable(item, q);
            source = copy;
        }
        readNanos += System.nanoTime() - t0;
        try {
            for (long off = 0; off < item.bytes() || off == 0; off += CHUNK) {
                int len = (int) Math.min(CHUNK, item.bytes() - off);
                long t = System.nanoTime();
                staging.clear().limit(len);
                if (len > 0) {
                    int rc = CL.clEnqueueReadBuffer(q, source, true, off, len, Pointer.to(staging), 0, null, null);
                    if (rc != CL.CL_SUCCESS) {
                        throw new MigrationException("reading buffer " + item.id() + " failed with error " + rc);
                    }
                }
                ByteString data = ByteString.copyFrom(staging);
                readNanos += System.nanoTime() - t;
                link.send(chunk(item, off, data));
                if (len == 0) {
                    break;
                }
            }
        } finally {
            if (copy != null) {
                CL.clReleaseMemObject(copy);
            }
        }
    }

    private cl_mem hostReadable(Contents.Item item, cl_command_queue q) throws MigrationException {
        long[] ctx = new long[1];
        CL.clGetMemObjectInfo(item.mem(), CL.CL_MEM_CONTEXT, 8, Pointer.to(ctx), null);
        int[] err = new int[1];
        cl_mem copy = CL.clCreateBuffer((cl_context) io.ava.server.dispatch.NativePointers.wrap(io.ava.spec.HandleType.cl_context,
                ctx[0]), CL.CL_MEM_READ_WRITE, Math.max(1, item.bytes()), null, err);
        if (err[0] != CL.CL_SUCCESS) {
            throw new MigrationException("no memory to stage buffer " + item.id() + " (error " + err[0] + ")");
        }
        int rc = CL.clEnqueueCopyBuffer(q, item.mem(), copy, 0, 0, item.bytes(), 0, null, null);
        if (rc == CL.CL_SUCCESS) {
            rc = CL.clFinish(q);
        }
        if (rc != CL.CL_SUCCESS) {
            CL.clReleaseMemObject(copy);
            throw new MigrationException("staging buffer " + item.id() + " failed with error " + rc);
        }
        return copy;
    }

    private ByteBuffer readImage(Contents.Item item) throws MigrationException {
        long t = System.nanoTime();
        ByteBuffer data = ByteBuffer.allocateDirect((int) Math.max(1, item.bytes())).order(ByteOrder.nativeOrder());
        int rc = CL.clEnqueueReadImage(queues.forMem(item.mem()), item.mem(), true, new long[3], item.region(), 0, 0,
                Pointer.to(data), 0, null, null);
        if (rc != CL.CL_SUCCESS) {
            throw new MigrationException("reading image " + item.id() + " failed with error " + rc);
        }
        data.limit((int) item.bytes());
        readNanos += System.nanoTime() - t;
        return data;
    }

    private void whole(Contents.Item item, ByteBuffer data) throws MigrationException {
        long total = item.bytes();
        for (long off = 0; off < total || off == 0; off += CHUNK) {
            int len = (int) Math.min(CHUNK, total - off);
            ByteBuffer slice = data.duplicate();
            slice.position((int) off).limit((int) (off + len));
            link.send(chunk(item, off, ByteString.copyFrom(slice)));
            if (len == 0) {
                break;
            }
        }
    }

    private static MigrationPacket chunk(Contents.Item item, long off, ByteString data) {
        return MigrationPacket.newBuilder().setChunk(ContentChunk.newBuilder().setObject(item.id()).setKind(item.kind())
                .setOffset(off).setTotal(item.bytes()).setData(data)).build();
    }
}
