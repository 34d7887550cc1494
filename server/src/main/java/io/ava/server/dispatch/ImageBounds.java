package io.ava.server.dispatch;

import io.ava.server.handles.HandleEntry;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * Image regions must lie inside the image. PoCL copies past the edge without complaint, which
 * writes over the server's memory; so the server checks, as a stricter driver does.
 */
final class ImageBounds {
    private ImageBounds() {
    }

    static void check(HandleEntry image, long[] origin, long[] region) throws ClError {
        if (image == null || origin == null || region == null || origin.length < 3 || region.length < 3) {
            return; // the driver reports missing arguments itself
        }
        cl_mem mem = (cl_mem) image.object();
        int[] type = new int[1];
        if (CL.clGetMemObjectInfo(mem, CL.CL_MEM_TYPE, 4, Pointer.to(type), null) != CL.CL_SUCCESS
                || type[0] == CL.CL_MEM_OBJECT_BUFFER) {
            return; // not an image: the driver answers CL_INVALID_MEM_OBJECT
        }
        long[] extent = {dimension(mem, CL.CL_IMAGE_WIDTH), Math.max(1, dimension(mem, CL.CL_IMAGE_HEIGHT)),
                Math.max(1, dimension(mem, CL.CL_IMAGE_DEPTH))};
        long array = dimension(mem, CL.CL_IMAGE_ARRAY_SIZE);
        if (type[0] == CL.CL_MEM_OBJECT_IMAGE1D_ARRAY) {
            extent[1] = array;
        } else if (type[0] == CL.CL_MEM_OBJECT_IMAGE2D_ARRAY) {
            extent[2] = array;
        }
        for (int d = 0; d < 3; d++) {
            if (origin[d] < 0 || region[d] < 0 || origin[d] + region[d] > extent[d] || origin[d] + region[d] < 0) {
                throw new ClError(-30, "image region " + origin[0] + "," + origin[1] + "," + origin[2] + " + "
                        + region[0] + "x" + region[1] + "x" + region[2] + " is outside the " + extent[0] + "x" + extent[1]
                        + "x" + extent[2] + " image");
            }
        }
    }

    private static long dimension(cl_mem mem, int param) {
        long[] v = new long[1];
        return CL.clGetImageInfo(mem, param, 8, Pointer.to(v), null) == CL.CL_SUCCESS ? v[0] : 0;
    }
}
