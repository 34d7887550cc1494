package io.ava.agent.session;

import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import org.jocl.Pointer;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Coarse-grained SVM allocations. Natively JOCL hands out a Pointer over the SVM memory itself;
 * here the Pointer is over a local shadow of the allocation, so getByteBuffer works as before,
 * and the shadow is filled on clEnqueueSVMMap and sent back on clEnqueueSVMUnmap, which is
 * exactly when coarse-grained SVM lets the host look. Pointers are recognised by address, so
 * offsets and slices of the shadow name the same allocation.
 */
final class SharedVirtualMemory {
    static final long CL_MEM_SVM_FINE_GRAIN_BUFFER = 1 << 10;

    /** One allocation: the server's id for it and the local shadow. */
    record Allocation(long id, long address, ByteBuffer shadow) {
    }

    /** A place in an allocation. */
    record Location(Allocation allocation, long offset) {
    }

    /** An open map of a range. */
    record Mapping(long callId, long size, long flags) {
        boolean writes() {
            return (flags & (MappedMemory.CL_MAP_WRITE | MappedMemory.CL_MAP_WRITE_INVALIDATE_REGION)) != 0;
        }
    }

    private final TreeMap<Long, Allocation> byAddress = new TreeMap<>();
    private final Map<String, Mapping> mappings = new ConcurrentHashMap<>();

    synchronized Pointer allocated(long id, long size) {
        ByteBuffer shadow = ByteBuffer.allocateDirect((int) size); // big-endian, as JOCL's own
        long address = HostMemory.address(shadow);
        byAddress.put(address, new Allocation(id, address, shadow));
        return Pointer.to(shadow);
    }

    /** Where a Pointer points, or null when it is not into an allocation. */
    synchronized Location locate(Pointer p) {
        if (p == null) {
            return null;
        }
        Buffer b = Jocl.buffer(p);
        if (!(b instanceof ByteBuffer) || !b.isDirect()) {
            return null;
        }
        long address = HostMemory.address((ByteBuffer) b) + Jocl.byteOffset(p);
        Map.Entry<Long, Allocation> e = byAddress.floorEntry(address);
        if (e == null || address > e.getKey() + e.getValue().shadow().capacity()) {
            return null;
        }
        return new Location(e.getValue(), address - e.getKey());
    }

    synchronized void freed(Location l) {
        byAddress.remove(l.allocation().address());
    }

    void mapped(Location l, Mapping m) {
        mappings.put(l.allocation().id() + ":" + l.offset(), m);
    }

    Mapping unmapping(Location l) {
        return mappings.remove(l.allocation().id() + ":" + l.offset());
    }

    Mapping mapping(Location l) {
        return mappings.get(l.allocation().id() + ":" + l.offset());
    }
}
