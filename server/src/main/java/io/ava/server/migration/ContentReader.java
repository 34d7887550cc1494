package io.ava.server.migration;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Sends each object's bytes to the peer's content channel as raw bytes. Buffers are mapped for
 * reading and written from the mapping straight into the socket: one copy, by the kernel.
 */
final class ContentReader {
    private final ContextQueues queues;
    /** time spent reading from the device (maps, staging copies), as opposed to sending */
    long readNanos;
    long sendNanos;

    ContentReader(ContextQueues queues) {
        this.queues = queues;
    }

    void send(Contents contents, String host, io.ava.proto.ContentChannel channel) throws MigrationException {
        try (SocketChannel socket = SocketChannel.open()) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            socket.socket().connect(new InetSocketAddress(host, channel.getPort()), 10_000);
            // inside TLS when this server has TLS files (the peer then requires it)
            java.net.Socket sock = io.ava.server.security.Security.current().clientSide(socket.socket(), host);
            java.nio.channels.WritableByteChannel out = sock == socket.socket() ? socket
                    : java.nio.channels.Channels.newChannel(new java.io.BufferedOutputStream(sock.getOutputStream(), 1 << 16) {
                        @Override
                        public void close() throws IOException {
                            flush();
                        }
                    });
            send(contents, channel, out);
            out.close(); // flushes what TLS buffered
            awaitPeerClose(sock);
        } catch (IOException e) {
            throw new MigrationException("the content channel to the peer broke: " + e.getMessage());
        }
    }

    /**
     * Lets the peer close first: it does once it has read the end mark. Closing here first could
     * reset the connection under bytes the peer has not read yet: with TLS 1.3 the peer sends a
     * session ticket this side never reads, a socket closed with unread input sends a reset
     * instead of a FIN, and the reset discards the peer's unread data ("Connection reset" on the
     * target, a flaky failed migration). Reading to the end also consumes that ticket.
     */
    private static void awaitPeerClose(java.net.Socket sock) {
        try {
            sock.setSoTimeout(30_000);
            java.io.InputStream in = sock.getInputStream();
            byte[] scratch = new byte[4096];
            while (in.read(scratch) >= 0) {
                // the peer sends nothing else; TLS records are consumed
            }
        } catch (IOException ignored) {
            // closed without close_notify, or the peer is gone: either way it has finished reading or failed, and
            // says which through the migration's own messages
        }
    }

    private void send(Contents contents, io.ava.proto.ContentChannel channel, java.nio.channels.WritableByteChannel socket)
            throws MigrationException, IOException {
        writeFully(socket, ByteBuffer.wrap(channel.getToken().toByteArray()));
        for (Contents.Item item : contents.items) {
            writeFully(socket, header(item.id(), item.kind(), item.bytes()));
            switch (item.kind()) {
                case Contents.BUFFER -> buffer(item, socket);
                case Contents.IMAGE -> timedWrite(socket, readImage(item));
                case Contents.SVM -> timedWrite(socket, item.svm().getByteBuffer(0, item.bytes()));
                default -> timedWrite(socket, item.hostCopy().duplicate().clear());
            }
        }
        writeFully(socket, header(0, -1, 0));
    }

    static ByteBuffer header(long id, int kind, long length) {
        return ByteBuffer.allocate(20).putLong(id).putInt(kind).putLong(length).flip();
    }

    private void buffer(Contents.Item item, java.nio.channels.WritableByteChannel socket) throws MigrationException, IOException {
        if (item.bytes() == 0) {
            return;
        }
        long t = System.nanoTime();
        cl_command_queue q = queues.forMem(item.mem());
        cl_mem source = item.mem();
        cl_mem copy = null;
        if ((item.flags() & (Contents.CL_MEM_HOST_WRITE_ONLY | Contents.CL_MEM_HOST_NO_ACCESS)) != 0) {
            // the host may not read it: copy it into a buffer the host may read
            copy = hostReadable(item, q);
            source = copy;
        }
        int[] err = new int[1];
        ByteBuffer mapped = CL.clEnqueueMapBuffer(q, source, true, CL.CL_MAP_READ, 0, item.bytes(), 0, null, null, err);
        readNanos += System.nanoTime() - t;
        try {
            if (err[0] != CL.CL_SUCCESS || mapped == null) {
                throw new MigrationException("mapping buffer " + item.id() + " to read it failed with error " + err[0]);
            }
            timedWrite(socket, mapped);
        } finally {
            if (mapped != null) {
                CL.clEnqueueUnmapMemObject(q, source, mapped, 0, null, null);
                CL.clFinish(q);
            }
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
                ctx[0]), CL.CL_MEM_READ_WRITE, item.bytes(), null, err);
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

    private void timedWrite(java.nio.channels.WritableByteChannel socket, ByteBuffer data) throws IOException {
        long t = System.nanoTime();
        writeFully(socket, data);
        sendNanos += System.nanoTime() - t;
    }

    private static void writeFully(java.nio.channels.WritableByteChannel socket, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }
}
