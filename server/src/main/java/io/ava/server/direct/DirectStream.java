package io.ava.server.direct;

import io.ava.proto.ClientMessage;
import io.ava.proto.DirectEnd;
import io.ava.proto.DirectFrame;
import io.ava.proto.ServerMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.Semaphore;

/**
 * One client's session stream on the direct port, seen by the session code as the gRPC stream it
 * knows: outbound messages become length-delimited {@link DirectFrame}s, inbound ones are read by
 * one thread and handed on in order, as many as the session has {@link #request requested}.
 */
final class DirectStream extends ServerCallStreamObserver<ServerMessage> {
    private final Socket socket;
    private final OutputStream out;
    private final Semaphore requested = new Semaphore(0);
    private volatile boolean closed;
    private volatile boolean inputDone;
    private volatile Runnable onCancel;

    DirectStream(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
    }

    /**
     * Reads the client's messages until the stream ends: the first must pass {@code admit} (the
     * token check), then each goes to {@code inbound}. Runs on the connection's own thread.
     */
    void readInto(StreamObserver<ClientMessage> inbound, java.util.function.Function<ClientMessage, String> admit) {
        boolean first = true;
        io.ava.server.session.ServerSession.onConnectionReaderThread();
        try {
            // a connection that says nothing is dropped after 10 s, as on the bulk port: it holds a thread
            socket.setSoTimeout(FIRST_MESSAGE_TIMEOUT_MS);
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 64 << 10);
            while (true) {
                requested.acquire(); // the session requested its window when the stream opened
                ClientMessage m = readMessage(in);
                if (closed) {
                    return; // the server ended the stream: like gRPC, nothing more is delivered
                }
                if (m == END) {
                    // the client half-closed: the session may still answer, then ends the stream itself
                    inputDone = true;
                    inbound.onCompleted();
                    return;
                }
                if (m == null) {
                    // the connection closed without the end frame: dropped, as a reset is (reconnect grace applies)
                    throw new IOException("the connection closed without the client's end frame");
                }
                if (first) {
                    String refused = admit.apply(m);
                    if (refused != null) {
                        onError(Status.UNAUTHENTICATED.withDescription("ava-server refused the call: " + refused).asRuntimeException());
                        return;
                    }
                    first = false;
                    socket.setSoTimeout(0); // a session may be idle as long as it likes
                }
                inbound.onNext(m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelled();
        } catch (Oversized e) {
            RuntimeException why = Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
            onError(why); // tells the client why
            inbound.onError(why); // a session already open ends as if its connection dropped
        } catch (IOException e) {
            // a reset, or bytes that are not a ClientMessage: the stream is over either way
            if (!closed) {
                cancelled();
                inbound.onError(Status.UNAVAILABLE.withDescription("direct connection: " + e.getMessage()).withCause(e)
                        .asRuntimeException());
            }
        } finally {
            if (closed) {
                closeSocket();
            }
        }
    }

    private static final class Oversized extends IOException {
        Oversized(String message) {
            super(message);
        }
    }

    static final int FIRST_MESSAGE_TIMEOUT_MS = 10_000;

    /** As on the gRPC port: a larger message is refused before its bytes are read. */
    static final int MAX_MESSAGE = io.ava.server.session.SessionService.MAX_INBOUND_MESSAGE;

    /** What a zero-length frame reads as: the client's orderly end (half-close). */
    private static final ClientMessage END = ClientMessage.newBuilder().build();

    /** The next length-delimited message; {@link #END} for the client's end frame; null when the connection closed. */
    private ClientMessage readMessage(InputStream in) throws IOException {
        int first = in.read();
        if (first == -1) {
            return null;
        }
        int size = com.google.protobuf.CodedInputStream.readRawVarint32(first, in);
        if (size == 0) {
            return END;
        }
        if (size < 0 || size > MAX_MESSAGE) {
            throw new Oversized("a message of " + Integer.toUnsignedString(size) + " bytes is over the direct port's limit of "
                    + MAX_MESSAGE + " bytes");
        }
        byte[] bytes = in.readNBytes(size);
        if (bytes.length < size) {
            throw new IOException("the connection ended inside a message");
        }
        return ClientMessage.parseFrom(bytes);
    }

    private void cancelled() {
        if (!closed) {
            closed = true;
            closeSocket();
            Runnable r = onCancel;
            if (r != null) {
                r.run();
            }
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void onNext(ServerMessage value) {
        write(DirectFrame.newBuilder().setMessage(value).build(), false);
    }

    @Override
    public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        write(DirectFrame.newBuilder().setEnd(DirectEnd.newBuilder().setCode(s.getCode().name())
                .setDescription(s.getDescription() == null ? "" : s.getDescription())).build(), true);
    }

    @Override
    public void onCompleted() {
        write(DirectFrame.newBuilder().setEnd(DirectEnd.newBuilder().setCode(Status.Code.OK.name())).build(), true);
    }

    private void write(DirectFrame frame, boolean last) {
        synchronized (out) {
            if (closed) {
                if (last) {
                    return; // ending a stream that already ended is allowed, as on gRPC
                }
                throw Status.CANCELLED.withDescription("the direct connection is closed").asRuntimeException();
            }
            try {
                frame.writeDelimitedTo(out);
                out.flush();
            } catch (IOException e) {
                cancelled();
                if (!last) {
                    throw Status.UNAVAILABLE.withDescription("direct connection: " + e.getMessage()).asRuntimeException();
                }
            }
            if (last) {
                try {
                    socket.shutdownOutput();
                } catch (IOException ignored) {
                    // the client is gone
                }
                closed = true;
                requested.release(); // a reader waiting for the window sees the end
                if (inputDone) {
                    closeSocket();
                }
            }
        }
    }

    @Override
    public boolean isCancelled() {
        return closed;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {
        this.onCancel = onCancelHandler;
    }

    @Override
    public void setCompression(String compression) {
        // no compression on the direct transport
    }

    @Override
    public boolean isReady() {
        return !closed; // writes block on the socket's own buffer instead
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
        // never needed: isReady is true while the connection lasts
    }

    @Override
    public void disableAutoInboundFlowControl() {
        // flow control is always manual here
    }

    @Override
    public void disableAutoRequest() {
        // flow control is always manual here
    }

    @Override
    public void request(int count) {
        requested.release(count);
    }

    @Override
    public void setMessageCompression(boolean enable) {
        // no compression on the direct transport
    }
}
