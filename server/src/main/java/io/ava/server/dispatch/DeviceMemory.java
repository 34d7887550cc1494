package io.ava.server.dispatch;

import io.ava.server.handles.HandleEntry;
import io.ava.spec.FunctionSpec;
import org.jocl.CL;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;

/** The device memory a creating call asks for, worked out from its arguments before the driver sees them. */
final class DeviceMemory {
    private DeviceMemory() {
    }

    /** What a call will charge to the session: its bytes and, for sub-buffers and images over a buffer, the parent. */
    record Charge(long bytes, long parentId) {
        static final Charge NONE = new Charge(0, 0);
    }

    static Charge of(FunctionSpec f, Object[] args, HandleEntry[] entries) {
        switch (f.name()) {
            case "clCreateBuffer":
                return new Charge(Math.max(0, num(args[2])), 0);
            case "clCreateSubBuffer":
            case "clCreateSubBuffer2":
                return new Charge(0, entries[0] == null ? 0 : entries[0].id()); // the parent's memory
            case "clCreatePipe":
                return new Charge(saturatedProduct(num(args[2]), num(args[3])), 0);
            case "clSVMAlloc":
                return new Charge(Math.max(0, num(args[2])), 0);
            case "clCreateImage2D": {
                cl_image_format fmt = format(args[2]);
                return new Charge(saturatedProduct(pixelBytes(fmt), num(args[3]), Math.max(1, num(args[4]))), 0);
            }
            case "clCreateImage3D": {
                cl_image_format fmt = format(args[2]);
                return new Charge(saturatedProduct(pixelBytes(fmt), num(args[3]), Math.max(1, num(args[4])),
                        Math.max(1, num(args[5]))), 0);
            }
            case "clCreateImage": {
                cl_image_desc d = (cl_image_desc) args[3];
                if (d == null) {
                    return Charge.NONE;
                }
                if (d.buffer != null) {
                    return Charge.NONE; // an image over a buffer uses the buffer's memory
                }
                long layers = Math.max(1, d.image_array_size);
                return new Charge(saturatedProduct(pixelBytes(format(args[2])), Math.max(1, d.image_width),
                        Math.max(1, d.image_height), Math.max(1, d.image_depth), layers), 0);
            }
            default:
                return Charge.NONE;
        }
    }

    private static cl_image_format format(Object arg) {
        if (arg instanceof cl_image_format[] a) {
            return a.length == 0 ? null : a[0];
        }
        return (cl_image_format) arg;
    }

    /** Bytes per pixel of an image format (the largest, 16, for one this does not know: the driver refuses those). */
    static long pixelBytes(cl_image_format f) {
        if (f == null) {
            return 16;
        }
        int type = f.image_channel_data_type;
        if (type == CL.CL_UNORM_SHORT_565 || type == CL.CL_UNORM_SHORT_555) {
            return 2;
        }
        if (type == CL.CL_UNORM_INT_101010 || type == 0x10E0 /* CL_UNORM_INT_101010_2 */) {
            return 4;
        }
        long channelBytes;
        if (type == CL.CL_SNORM_INT8 || type == CL.CL_UNORM_INT8 || type == CL.CL_SIGNED_INT8 || type == CL.CL_UNSIGNED_INT8) {
            channelBytes = 1;
        } else if (type == CL.CL_SNORM_INT16 || type == CL.CL_UNORM_INT16 || type == CL.CL_SIGNED_INT16
                || type == CL.CL_UNSIGNED_INT16 || type == CL.CL_HALF_FLOAT) {
            channelBytes = 2;
        } else {
            channelBytes = 4;
        }
        int order = f.image_channel_order;
        long channels;
        if (order == CL.CL_R || order == CL.CL_A || order == CL.CL_INTENSITY || order == CL.CL_LUMINANCE || order == CL.CL_Rx) {
            channels = 1;
        } else if (order == CL.CL_RG || order == CL.CL_RA || order == CL.CL_RGx) {
            channels = 2;
        } else if (order == CL.CL_RGB || order == CL.CL_RGBx) {
            channels = 3;
        } else {
            channels = 4;
        }
        return channels * channelBytes;
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    static long saturatedProduct(long... factors) {
        long p = 1;
        for (long x : factors) {
            if (x < 0) {
                return Long.MAX_VALUE;
            }
            try {
                p = Math.multiplyExact(p, x);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }
}
