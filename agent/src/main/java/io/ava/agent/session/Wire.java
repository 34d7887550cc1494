package io.ava.agent.session;

import io.ava.proto.ClientMessage;
import io.ava.proto.ServerMessage;

/**
 * How one connection carries the session stream: gRPC ({@link GrpcWire}), or the server's direct
 * port ({@link DirectWire}). Both behave as a gRPC bidirectional stream does: messages arrive in
 * order on one thread, and the stream ends with either a completion or an error whose
 * {@link io.grpc.Status} says why.
 */
interface Wire {
    /** What arrives from the server. */
    interface Inbound {
        void message(ServerMessage m);

        void failed(Throwable t);

        void completed();

        /** The transport can take more (gRPC flow control). */
        void ready();
    }

    /** Sends one message; on a failed or ended stream it is dropped (the failure comes through Inbound), as on gRPC. */
    void send(ClientMessage m);

    /** Says the client sends no more (half-close). */
    void complete();

    boolean isReady();

    /** The Hello's {@code authorization}: only the direct transport carries the token there. */
    String authorization();

    void shutdown();

    void awaitTermination(long millis) throws InterruptedException;

    void shutdownNow();
}
