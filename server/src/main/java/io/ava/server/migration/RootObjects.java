package io.ava.server.migration;

import io.ava.proto.RootObject;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.util.ArrayList;
import java.util.List;

/**
 * Platforms and devices are not created by the client, so they are not in the record log: they
 * move by position (platform N, device M of it), and the target binds its own under the same ids.
 */
final class RootObjects {
    private RootObjects() {
    }

    /** @param replayed objects the log rebuilds (sub-devices come from clCreateSubDevices, not by position) */
    static List<RootObject> describe(HandleTable table, java.util.Set<Long> replayed) throws MigrationException {
        cl_platform_id[] platforms = platforms();
        List<RootObject> out = new ArrayList<>();
        for (HandleEntry e : table.allOldestFirst()) {
            if (e.type() == HandleType.cl_platform_id) {
                int p = indexOf(platforms, e.object().getNativePointer());
                if (p < 0) {
                    throw new MigrationException("platform " + e.id() + " is not one of this machine's platforms");
                }
                out.add(RootObject.newBuilder().setId(e.id()).setKind(0).setPlatformIndex(p).build());
            } else if (e.type() == HandleType.cl_device_id && !replayed.contains(e.id())) {
                long[] platform = new long[1];
                CL.clGetDeviceInfo((cl_device_id) e.object(), CL.CL_DEVICE_PLATFORM, 8, Pointer.to(platform), null);
                int p = indexOf(platforms, platform[0]);
                int d = p < 0 ? -1 : indexOf(devices(platforms[p]), e.object().getNativePointer());
                if (d < 0) {
                    throw new MigrationException("device " + e.id() + " is a sub-device whose creation is not in the log");
                }
                out.add(RootObject.newBuilder().setId(e.id()).setKind(1).setPlatformIndex(p).setDeviceIndex(d).build());
            }
        }
        return out;
    }

    /** Binds this machine's platforms and devices under the source's ids. */
    static void bind(List<RootObject> roots, HandleTable table) throws MigrationException {
        cl_platform_id[] platforms = platforms();
        for (RootObject r : roots) {
            if (r.getPlatformIndex() >= platforms.length) {
                throw new MigrationException("this server has no OpenCL platform " + r.getPlatformIndex());
            }
            cl_platform_id p = platforms[r.getPlatformIndex()];
            if (r.getKind() == 0) {
                table.bindRoot(r.getId(), HandleType.cl_platform_id, p);
                continue;
            }
            cl_device_id[] devices = devices(p);
            if (r.getDeviceIndex() >= devices.length) {
                throw new MigrationException("this server's platform " + r.getPlatformIndex() + " has no device " + r.getDeviceIndex());
            }
            table.bindRoot(r.getId(), HandleType.cl_device_id, devices[r.getDeviceIndex()]);
        }
    }

    private static int indexOf(org.jocl.NativePointerObject[] all, long ptr) {
        for (int i = 0; i < all.length; i++) {
            if (all[i].getNativePointer() == ptr) {
                return i;
            }
        }
        return -1;
    }

    private static cl_platform_id[] platforms() {
        int[] n = new int[1];
        CL.clGetPlatformIDs(0, null, n);
        cl_platform_id[] p = new cl_platform_id[n[0]];
        if (n[0] > 0) {
            CL.clGetPlatformIDs(n[0], p, null);
        }
        return p;
    }

    private static cl_device_id[] devices(cl_platform_id p) {
        int[] n = new int[1];
        CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
        cl_device_id[] d = new cl_device_id[n[0]];
        if (n[0] > 0) {
            CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, n[0], d, null);
        }
        return d;
    }
}
