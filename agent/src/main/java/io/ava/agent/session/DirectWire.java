package io.ava.agent.session;

import io.ava.proto.ClientMessage;
import io.ava.proto.DirectFrame;
import io.grpc.Status;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The session stream on the server's direct port ({@code server=direct://HOST:PORT}): one TCP
 * connection, length-delimited protobuf each way, no gRPC, HTTP/2 or Netty in the client. It
 * connects on its own thread, as a gRPC channel does, so a server that cannot be reached shows as
 * an UNAVAILABLE stream rather than an exception here; that thread then reads the server's frames.
 */
final class DirectWire implements Wire {
    static final String SCHEME = "direct://";
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String hostPort;
    private final String token;
    private final Inbound inbound;
    private final Socket socket = new Socket();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final Thread reader;
    private volatile OutputStream out;
    private volatile Throwable ended;

    static boolean isDirect(String address) {
        return address.startsWith(SCHEME);
    }

    /** host:port of a direct:// address. */
    static String hostPort(String address) {
        return isDirect(address) ? address.substring(SCHEME.length()) : address;
    }

    DirectWire(String address, String token, Inbound inbound) {
        this.hostPort = hostPort(address);
        this.token = token;
        this.inbound = inbound;
        this.reader = new Thread(this::run, "ava-direct-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void run() {
        InputStream in;
        try {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IOException("expected direct://HOST:PORT");
            }
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    CONNECT_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
            in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
        } catch (IOException | RuntimeException e) {
            // the latch first: a sender waits on it while holding the session's send lock, which the failure report needs
            connected.countDown();
            end(Status.UNAVAILABLE.withDescription("cannot connect to " + hostPort + ": " + e.getMessage()).withCause(e).asRuntimeException());
            return;
        }
        connected.countDown();
        try {
            while (true) {
                DirectFrame f = DirectFrame.parseDelimitedFrom(in);
                if (f == null) {
                    end(Status.UNAVAILABLE.withDescription("the server closed the direct connection").asRuntimeException());
                    return;
                }
                if (f.hasEnd() && f.getEnd().getCode().equals("OK")) {
                    // an orderly end, as every run's exit has it: no gRPC Status here, whose classes take ~15 ms
                    // to load and initialise on the way out of the program
                    ended = new IllegalStateException("the stream has ended");
                    closeSocket();
                    inbound.completed();
                    return;
                }
                if (f.hasEnd()) {
                    Status.Code code;
                    try {
                        code = Status.Code.valueOf(f.getEnd().getCode());
                    } catch (IllegalArgumentException e) {
                        code = Status.Code.UNKNOWN;
                    }
                    if (code == Status.Code.OK) {
                        ended = Status.CANCELLED.withDescription("the stream has ended").asRuntimeException();
                        closeSocket();
                        inbound.completed();
                    } else {
                        end(Status.fromCode(code).withDescription(f.getEnd().getDescription()).asRuntimeException());
                    }
                    return;
                }
                inbound.message(f.getMessage());
            }
        } catch (IOException e) {
            end(Status.UNAVAILABLE.withDescription("direct connection: " + e.getMessage()).withCause(e).asRuntimeException());
        }
    }

    private void end(RuntimeException e) {
        if (ended == null) {
            ended = e;
            closeSocket();
            inbound.failed(e);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * As a gRPC stream does, a send on a connection that failed or ended is dropped without an
     * exception: the failure reaches the session once, through {@link Inbound#failed}, and the
     * session's resend buffer still holds what a reconnect must send again.
     */
    @Override
    public void send(ClientMessage m) {
        try {
            if (!connected.await(CONNECT_TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS)) {
                end(Status.UNAVAILABLE.withDescription("still connecting to " + hostPort).asRuntimeException());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        OutputStream o = out;
        if (ended != null || o == null) {
            return;
        }
        synchronized (this) {
            try {
                m.writeDelimitedTo(o);
                o.flush();
            } catch (IOException e) {
                end(Status.UNAVAILABLE.withDescription("direct connection: " + e.getMessage()).withCause(e).asRuntimeException());
            }
        }
    }

    /** The end frame (a zero-length message), then the half-close: a bare close reads as a dropped connection. */
    @Override
    public void complete() {
        OutputStream o = out;
        if (o == null || ended != null) {
            return;
        }
        synchronized (this) {
            try {
                o.write(0);
                o.flush();
                socket.shutdownOutput();
            } catch (IOException ignored) {
                // the connection is gone already
            }
        }
    }

    @Override
    public boolean isReady() {
        return true; // a full socket buffer blocks the writer instead
    }

    @Override
    public String authorization() {
        return token == null ? "" : "Bearer " + token;
    }

    @Override
    public void shutdown() {
        // the server ends the stream after the half-close; awaitTermination waits for that
    }

    @Override
    public void awaitTermination(long millis) throws InterruptedException {
        reader.join(millis);
    }

    @Override
    public void shutdownNow() {
        if (ended == null) {
            ended = new IllegalStateException("closed by the client"); // only marks sends as dropped
        }
        closeSocket();
    }
}
