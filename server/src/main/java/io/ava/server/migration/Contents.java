package io.ava.server.migration;

import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bytes that move with a session: every buffer (a sub-buffer's come with its parent), every
 * image (tightly packed), every live SVM allocation, and the host copies behind open image maps.
 * Read on the source only after every queue has finished.
 */
final class Contents {
    static final int BUFFER = 0;
    static final int IMAGE = 1;
    static final int SVM = 2;
    static final int IMAGE_MAP = 3;
    static final long CL_MEM_HOST_WRITE_ONLY = 1 << 7;
    static final long CL_MEM_HOST_READ_ONLY = 1 << 8;
    static final long CL_MEM_HOST_NO_ACCESS = 1 << 9;

    /** One object's contents. */
    record Item(long id, int kind, cl_mem mem, long bytes, long[] region, long flags, Pointer svm, ByteBuffer hostCopy) {
    }

    final List<Item> items = new ArrayList<>();
    long bytes;
    int buffers;
    int images;

    static Contents plan(HandleTable table) {
        Contents c = new Contents();
        Set<Long> moved = new HashSet<>();
        for (HandleEntry e : table.allOldestFirst()) {
            if (e.type() != HandleType.cl_mem || table.clientReferences(e) == 0) {
                continue;
            }
            cl_mem mem = (cl_mem) e.object();
            long[] parent = new long[1];
            CL.clGetMemObjectInfo(mem, CL.CL_MEM_ASSOCIATED_MEMOBJECT, 8, Pointer.to(parent), null);
            if (parent[0] != 0 && moved.contains(table.idOfNative(parent[0]))) {
                continue; // a sub-buffer or an image over a buffer: the parent's bytes carry it
            }
            int[] type = new int[1];
            long[] size = new long[1];
            long[] flags = new long[1];
            CL.clGetMemObjectInfo(mem, CL.CL_MEM_TYPE, 4, Pointer.to(type), null);
            CL.clGetMemObjectInfo(mem, CL.CL_MEM_SIZE, 8, Pointer.to(size), null);
            CL.clGetMemObjectInfo(mem, CL.CL_MEM_FLAGS, 8, Pointer.to(flags), null);
            moved.add(e.id());
            if (type[0] == CL.CL_MEM_OBJECT_BUFFER) {
                c.add(new Item(e.id(), BUFFER, mem, size[0], null, flags[0], null, null));
                c.buffers++;
            } else {
                long[] region = imageRegion(mem, type[0]);
                long[] elem = new long[1];
                CL.clGetImageInfo(mem, CL.CL_IMAGE_ELEMENT_SIZE, 8, Pointer.to(elem), null);
                c.add(new Item(e.id(), IMAGE, mem, region[0] * region[1] * region[2] * elem[0], region, flags[0], null, null));
                c.images++;
            }
        }
        for (long id : table.svmIds()) {
            HandleTable.SvmAllocation a = table.svm(id);
            c.add(new Item(id, SVM, null, a.size(), null, 0, a.pointer(), null));
        }
        for (Map.Entry<Long, HandleTable.ImageMapping> m : table.imageMappings().entrySet()) {
            ByteBuffer copy = table.mapping(m.getKey());
            if (copy != null) {
                c.add(new Item(m.getKey(), IMAGE_MAP, null, copy.capacity(), null, 0, null, copy));
            }
        }
        return c;
    }

    private void add(Item i) {
        items.add(i);
        bytes += i.bytes();
    }

    /** The whole image, as clEnqueueReadImage and clEnqueueWriteImage take it. */
    static long[] imageRegion(cl_mem image, int type) {
        long[] w = new long[1];
        long[] h = new long[1];
        long[] d = new long[1];
        long[] n = new long[1];
        CL.clGetImageInfo(image, CL.CL_IMAGE_WIDTH, 8, Pointer.to(w), null);
        CL.clGetImageInfo(image, CL.CL_IMAGE_HEIGHT, 8, Pointer.to(h), null);
        CL.clGetImageInfo(image, CL.CL_IMAGE_DEPTH, 8, Pointer.to(d), null);
        CL.clGetImageInfo(image, CL.CL_IMAGE_ARRAY_SIZE, 8, Pointer.to(n), null);
        if (type == CL.CL_MEM_OBJECT_IMAGE1D_ARRAY) {
            return new long[]{w[0], Math.max(1, n[0]), 1};
        }
        if (type == CL.CL_MEM_OBJECT_IMAGE2D_ARRAY) {
            return new long[]{w[0], Math.max(1, h[0]), Math.max(1, n[0])};
        }
        return new long[]{w[0], Math.max(1, h[0]), Math.max(1, d[0])};
    }
}
