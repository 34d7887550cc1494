package io.ava.server.metrics;

import io.grpc.ServerStreamTracer;

/**
 * Counts the message bytes of a gRPC server's streams (as gRPC reports them, uncompressed), one
 * tracer per stream; gRPC calls it once per message, not per OpenCL call.
 */
public final class GrpcTraffic extends ServerStreamTracer.Factory {
    private final ServerMetrics metrics;
    private final Traffic in;
    private final Traffic out;

    public GrpcTraffic(ServerMetrics metrics, Traffic in, Traffic out) {
        this.metrics = metrics;
        this.in = in;
        this.out = out;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, io.grpc.Metadata headers) {
        return new ServerStreamTracer() {
            @Override
            public void inboundUncompressedSize(long bytes) {
                metrics.bytes(in, bytes);
            }

            @Override
            public void outboundUncompressedSize(long bytes) {
                metrics.bytes(out, bytes);
            }
        };
    }
}
