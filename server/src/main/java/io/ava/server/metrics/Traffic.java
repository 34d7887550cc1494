package io.ava.server.metrics;

/** Where payload bytes travel: the `channel` and `direction` tags of ava_bytes_total. */
public enum Traffic {
    /** the clients' gRPC streams (calls, replies, chunks), as gRPC counts the uncompressed messages */
    GRPC_IN("grpc", "in"), GRPC_OUT("grpc", "out"),
    /** the per-session side channel for large transfers (frame payloads) */
    BULK_IN("bulk", "in"), BULK_OUT("bulk", "out"),
    /** sessions moving between servers: packets and object contents */
    MIGRATION_IN("migration", "in"), MIGRATION_OUT("migration", "out");

    final String channel;
    final String direction;

    Traffic(String channel, String direction) {
        this.channel = channel;
        this.direction = direction;
    }
}
