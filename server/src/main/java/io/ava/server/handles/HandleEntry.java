package io.ava.server.handles;

import io.ava.spec.HandleType;
import org.jocl.NativePointerObject;

/** One object a session can name: its id, its real JOCL object and what the server knows of it. */
public final class HandleEntry {
    final long id;
    final HandleType type;
    final NativePointerObject object;
    final long sequence;
    /** references the client holds (creation + retains - releases); 0 for objects it does not own */
    int clientRefs;
    /** bytes of device memory, for cl_mem */
    final long size;
    /** for the metrics: bytes of a memory object created without a size the server computed (images, pipes) */
    long deviceBytes;
    /** host memory the driver may still use (USE_HOST_PTR): kept as long as the object lives */
    final Object keepAlive;
    /** device memory this object counts against the session's limit (0 for sub-buffers and images over a buffer) */
    long charge;
    /** the buffer a sub-buffer lies in (null otherwise): the parent's memory stays held while it lives */
    HandleEntry parent;
    /** live sub-buffers in this buffer */
    int children;
    /** the client released its last reference (the memory goes once no sub-buffer holds it) */
    boolean clientGone;
    /** the charge was given back */
    boolean freed;
    /**
     * a device the driver created for the client (clCreateSubDevices): unlike a root device it is freed once
     * released, so it is named only while the client holds a reference
     */
    boolean subDevice;
    /** calls running now that resolved this entry (see HandleTable's pins) */
    int pins;
    /** releases claimed by running calls and not yet settled (see HandleTable.claimRelease) */
    int releasing;
    /** the session holds a native reference of its own, so the id it named stays valid (see HandleTable.holdForName) */
    boolean serverRef;
    /** the client's last reference is being released now: no new call may resolve it */
    boolean dying;
    /** the client's last release, held back until no running call uses the object any more */
    int deferredReleases;

    HandleEntry(long id, HandleType type, NativePointerObject object, long sequence, int clientRefs, long size,
                Object keepAlive) {
        this.id = id;
        this.type = type;
        this.object = object;
        this.sequence = sequence;
        this.clientRefs = clientRefs;
        this.size = size;
        this.keepAlive = keepAlive;
    }

    public long id() {
        return id;
    }

    public HandleType type() {
        return type;
    }

    public NativePointerObject object() {
        return object;
    }

    /** Creation order within the session. */
    public long sequence() {
        return sequence;
    }

    public long size() {
        return size;
    }
}
