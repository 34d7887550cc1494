package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mapped regions. A map returns a local direct buffer (a shadow of the server's mapped
 * memory), filled on map and sent back on unmap; the application may unmap with any buffer
 * over the same memory, so shadows are found by address, as the driver finds its pointers.
 */
final class MappedMemory {
    static final long CL_MAP_WRITE = 1 << 1;
    static final long CL_MAP_WRITE_INVALIDATE_REGION = 1 << 2;

    /** One open map: the call that made it, its flags and the shadow. */
    record Mapping(long mapId, long flags, ByteBuffer shadow) {
        boolean writes() {
            return (flags & (CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION)) != 0;
        }
    }

    private final Map<Long, Mapping> byAddress = new ConcurrentHashMap<>();

    void opened(long mapId, long flags, ByteBuffer shadow) {
        byAddress.put(HostMemory.address(shadow), new Mapping(mapId, flags, shadow));
    }

    /** The map a buffer the application hands to unmap belongs to, or null. */
    Mapping find(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect()) {
            return null;
        }
        return byAddress.get(HostMemory.address(buffer));
    }

    void closed(Mapping m) {
        byAddress.remove(HostMemory.address(m.shadow()), m);
    }
}
