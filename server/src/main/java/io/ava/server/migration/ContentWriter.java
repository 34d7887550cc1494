package io.ava.server.migration;

import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The target's content channel: one plain TCP port per incoming migration. Once the log has been
 * replayed, it reads each object's bytes straight into the object (buffers are mapped for writing
 * and filled from the socket).
 */
final class ContentWriter implements AutoCloseable {
    private static final long LIMIT_MILLIS = 600_000;

    private final HandleTable table;
    private final ContextQueues queues = new ContextQueues();
    private final ServerSocketChannel server;
    private final byte[] token = new byte[16];
    private final CountDownLatch replayed = new CountDownLatch(1);
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** the host copies of open image maps, by map id, for the commit */
    final Map<Long, ByteBuffer> imageMapCopies = new HashMap<>();
    private volatile SocketChannel socket;
    private final Thread worker;
    volatile long nanos;

    ContentWriter(HandleTable table, String bindHost) throws MigrationException {
        this.table = table;
        MigrationService.RANDOM.nextBytes(token);
        try {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(bindHost, 0), 1);
        } catch (IOException e) {
            throw new MigrationException("cannot open a content channel: " + e.getMessage());
        }
        worker = new Thread(this::run, "ava-migration-content");
        worker.setDaemon(true);
        worker.start();
    }

    io.ava.proto.ContentChannel channel() {
        return io.ava.proto.ContentChannel.newBuilder().setPort(server.socket().getLocalPort())
                .setToken(com.google.protobuf.ByteString.copyFrom(token)).build();
    }

    /** The log has been replayed: the objects the contents go into exist. */
    void replayed() {
        replayed.countDown();
    }

    /** Waits until every byte is in place; throws what went wrong. */
    void awaitDone() throws MigrationException {
        try {
            done.get(LIMIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof MigrationException m ? m : new MigrationException(String.valueOf(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new MigrationException("the contents did not arrive within " + LIMIT_MILLIS / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted");
        }
    }

    private void run() {
        try {
            java.nio.channels.ReadableByteChannel s = accept();
            if (!replayed.await(LIMIT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new MigrationException("the log was not replayed in time");
            }
            ByteBuffer header = ByteBuffer.allocate(20);
            while (true) {
                header.clear();
                readFully(s, header);
                header.flip();
                long id = header.getLong();
                int kind = header.getInt();
                long length = header.getLong();
                if (kind == -1) {
                    break;
                }
                long t = System.nanoTime();
                receive(s, id, kind, length);
                nanos += System.nanoTime() - t;
            }
            done.complete(null);
        } catch (MigrationException e) {
            done.completeExceptionally(e);
        } catch (IOException e) {
            done.completeExceptionally(new MigrationException("the content channel broke: " + e.getMessage()));
        } catch (InterruptedException e) {
            done.completeExceptionally(new MigrationException("interrupted"));
        } catch (RuntimeException e) {
            done.completeExceptionally(new MigrationException("internal error receiving contents: " + e));
        } finally {
            try {
                server.close();
                SocketChannel s = socket;
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * Waits for the source's connection: the one that presents this migration's token (inside TLS
     * when the server has TLS files). Any other connection is logged, closed and ignored: no byte
     * of it reaches an object.
     */
    private java.nio.channels.ReadableByteChannel accept() throws IOException, MigrationException {
        while (true) {
            SocketChannel s = server.accept();
            java.net.SocketAddress from = s.getRemoteAddress();
            try {
                s.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                s.socket().setSoTimeout(30_000); // the handshake and the token; the adaptor's streams honour it
                java.net.Socket sock = io.ava.server.security.Security.current().serverSide(s.socket());
                java.io.InputStream in = sock.getInputStream();
                byte[] presented = in.readNBytes(token.length);
                if (presented.length == token.length && MessageDigest.isEqual(presented, token)) {
                    s.socket().setSoTimeout(0);
                    socket = s;
                    return sock == s.socket() ? s : java.nio.channels.Channels.newChannel(in);
                }
                System.err.println("ava-server: refused " + from + " on the migration content channel: wrong token");
            } catch (IOException e) {
                System.err.println("ava-server: refused " + from + " on the migration content channel: " + e.getMessage());
            }
            s.close();
        }
    }

    private void receive(java.nio.channels.ReadableByteChannel s, long id, int kind, long length) throws MigrationException, IOException {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new MigrationException("object " + id + ": " + length + " bytes cannot be moved");
        }
        switch (kind) {
            case Contents.BUFFER -> buffer(s, id, length);
            case Contents.IMAGE -> {
                cl_mem image = mem(id);
                ByteBuffer data = read(s, length);
                int[] type = new int[1];
                CL.clGetMemObjectInfo(image, CL.CL_MEM_TYPE, 4, Pointer.to(type), null);
                int rc = CL.clEnqueueWriteImage(queues.forMem(image), image, true, new long[3],
                        Contents.imageRegion(image, type[0]), 0, 0, Pointer.to(data), 0, null, null);
                if (rc != CL.CL_SUCCESS) {
                    throw new MigrationException("writing image " + id + " failed with error " + rc);
                }
            }
            case Contents.SVM -> {
                HandleTable.SvmAllocation a = table.svm(id);
                if (a == null || a.size() != length) {
                    throw new MigrationException("no SVM allocation " + id + " of " + length + " bytes was replayed");
                }
                readFully(s, a.pointer().getByteBuffer(0, length));
            }
            case Contents.IMAGE_MAP -> imageMapCopies.put(id, read(s, length));
            default -> throw new MigrationException("unknown content kind " + kind);
        }
    }

    private void buffer(java.nio.channels.ReadableByteChannel s, long id, long length) throws MigrationException, IOException {
        cl_mem mem = mem(id);
        long[] size = new long[1];
        long[] flags = new long[1];
        CL.clGetMemObjectInfo(mem, CL.CL_MEM_SIZE, 8, Pointer.to(size), null);
        CL.clGetMemObjectInfo(mem, CL.CL_MEM_FLAGS, 8, Pointer.to(flags), null);
        if (size[0] != length) {
            throw new MigrationException("buffer " + id + " has " + size[0] + " bytes here, " + length + " on the source");
        }
        if (length == 0) {
            return;
        }
        cl_command_queue q = queues.forMem(mem);
        if ((flags[0] & (Contents.CL_MEM_HOST_READ_ONLY | Contents.CL_MEM_HOST_NO_ACCESS)) != 0) {
            // the host may not write it: through a staging buffer the host may write
            ByteBuffer data = read(s, length);
            long[] ctx = new long[1];
            CL.clGetMemObjectInfo(mem, CL.CL_MEM_CONTEXT, 8, Pointer.to(ctx), null);
            int[] err = new int[1];
            cl_mem staging = CL.clCreateBuffer((org.jocl.cl_context) io.ava.server.dispatch.NativePointers.wrap(
                    HandleType.cl_context, ctx[0]), CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, length, Pointer.to(data), err);
            if (err[0] != CL.CL_SUCCESS) {
                throw new MigrationException("no memory to stage buffer " + id + " (error " + err[0] + ")");
            }
            int rc = CL.clEnqueueCopyBuffer(q, staging, mem, 0, 0, length, 0, null, null);
            CL.clFinish(q);
            CL.clReleaseMemObject(staging);
            if (rc != CL.CL_SUCCESS) {
                throw new MigrationException("writing buffer " + id + " failed with error " + rc);
            }
            return;
        }
        int[] err = new int[1];
        ByteBuffer mapped = CL.clEnqueueMapBuffer(q, mem, true, CL.CL_MAP_WRITE_INVALIDATE_REGION, 0, length, 0, null, null, err);
        if (err[0] != CL.CL_SUCCESS || mapped == null) {
            throw new MigrationException("mapping buffer " + id + " to write it failed with error " + err[0]);
        }
        try {
            readFully(s, mapped);
        } finally {
            CL.clEnqueueUnmapMemObject(q, mem, mapped, 0, null, null);
            CL.clFinish(q);
        }
    }

    private static ByteBuffer read(java.nio.channels.ReadableByteChannel s, long length) throws IOException {
        ByteBuffer data = ByteBuffer.allocateDirect((int) Math.max(1, length)).order(ByteOrder.nativeOrder());
        data.limit((int) length);
        readFully(s, data);
        data.clear();
        return data;
    }

    private static void readFully(java.nio.channels.ReadableByteChannel s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (s.read(b) < 0) {
                throw new IOException("the source closed the content channel early");
            }
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
        try {
            server.close();
            SocketChannel s = socket;
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        try {
            worker.join(10_000); // it may be inside a driver call on one of the queues
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queues.close();
    }
}
