package io.ava.spec;

import java.util.List;

/**
 * How many bytes of host memory a rectangle or image transfer touches, computed the way the
 * OpenCL specification defines it (pitches of 0 mean tightly packed). Both ends compute it: the
 * agent to know what to send or receive, the server to allocate no more than the driver uses.
 * Written in the spec as e.g. {@code in [rect(host_offset, region, host_row_pitch, host_slice_pitch)]}.
 */
public final class HostExtent {
    /** The functions the spec may name. */
    public enum Kind {
        /** rect(offset, region, row_pitch, slice_pitch): buffer rectangles, element size 1 */
        rect(4),
        /** image(image, region, row_pitch, slice_pitch): image transfers, element size from the image */
        image(4),
        /** image_desc(format, desc): the host memory of clCreateImage */
        image_desc(2),
        /** image2d(format, width, height, row_pitch) */
        image2d(4),
        /** image3d(format, width, height, depth, row_pitch, slice_pitch) */
        image3d(6);

        final int arity;

        Kind(int arity) {
            this.arity = arity;
        }
    }

    /** What an extent is computed from: argument values as the side holds them. */
    public interface Args {
        long scalar(int index);

        /** a long[] argument (offsets, regions), or null */
        long[] longs(int index);

        /** bytes per pixel of the image named by a handle argument, or -1 when unknown */
        long imageElementSize(int index);

        /** channel order and data type of a cl_image_format argument (or its first element), or null */
        int[] format(int index);

        /** the fields of a cl_image_desc argument: type, width, height, depth, array size, row and slice pitch */
        long[] desc(int index);
    }

    private final Kind kind;
    private final int[] argIndexes;

    private HostExtent(Kind kind, int[] argIndexes) {
        this.kind = kind;
        this.argIndexes = argIndexes;
    }

    static HostExtent of(Kind kind, int[] argIndexes) {
        return new HostExtent(kind, argIndexes);
    }

    Kind kind() {
        return kind;
    }

    int[] argIndexes() {
        return argIndexes;
    }

    static HostExtent parse(String text, List<String> argNames, int line) {
        int open = text.indexOf('(');
        if (open < 0 || !text.endsWith(")")) {
            return null;
        }
        String name = text.substring(0, open).trim();
        Kind kind;
        try {
            kind = Kind.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new SpecException(line, "unknown extent function '" + name + "'");
        }
        String[] names = text.substring(open + 1, text.length() - 1).split(",");
        if (names.length != kind.arity) {
            throw new SpecException(line, name + "(...) takes " + kind.arity + " arguments");
        }
        int[] idx = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            idx[i] = argNames.indexOf(names[i].trim());
            if (idx[i] < 0) {
                throw new SpecException(line, name + "(...) names '" + names[i].trim() + "', which is not an argument");
            }
        }
        return new HostExtent(kind, idx);
    }

    /** The bytes touched, or -1 when they cannot be known (the call is then refused as invalid). */
    public long bytes(Args a) {
        switch (kind) {
            case rect:
                return rect(a.longs(argIndexes[0]), a.longs(argIndexes[1]), a.scalar(argIndexes[2]), a.scalar(argIndexes[3]), 1);
            case image: {
                long elem = a.imageElementSize(argIndexes[0]);
                return elem <= 0 ? -1 : rect(null, a.longs(argIndexes[1]), a.scalar(argIndexes[2]), a.scalar(argIndexes[3]), elem);
            }
            case image_desc: {
                long elem = elementSize(a.format(argIndexes[0]));
                long[] d = a.desc(argIndexes[1]);
                return elem <= 0 || d == null ? -1 : descBytes(d, elem);
            }
            case image2d: {
                long elem = elementSize(a.format(argIndexes[0]));
                long w = a.scalar(argIndexes[1]);
                long h = a.scalar(argIndexes[2]);
                long row = a.scalar(argIndexes[3]);
                return elem <= 0 ? -1 : bounded((row == 0 ? w * elem : row) * h);
            }
            case image3d: {
                long elem = elementSize(a.format(argIndexes[0]));
                long w = a.scalar(argIndexes[1]);
                long h = a.scalar(argIndexes[2]);
                long depth = a.scalar(argIndexes[3]);
                long row = a.scalar(argIndexes[4]);
                long slice = a.scalar(argIndexes[5]);
                if (elem <= 0) {
                    return -1;
                }
                row = row == 0 ? w * elem : row;
                slice = slice == 0 ? row * h : slice;
                return bounded(slice * depth);
            }
            default:
                return -1;
        }
    }

    /** Host bytes of a rectangle: the offset of its last byte plus one. */
    static long rect(long[] offset, long[] region, long row, long slice, long elem) {
        if (region == null || region.length < 3 || region[0] <= 0 || region[1] <= 0 || region[2] <= 0) {
            return -1;
        }
        long rowBytes = region[0] * elem;
        row = row == 0 ? rowBytes : row;
        slice = slice == 0 ? row * region[1] : slice;
        long start = 0;
        if (offset != null) {
            if (offset.length < 3 || offset[0] < 0 || offset[1] < 0 || offset[2] < 0) {
                return -1;
            }
            start = offset[2] * slice + offset[1] * row + offset[0];
        }
        return bounded(start + (region[2] - 1) * slice + (region[1] - 1) * row + rowBytes);
    }

    private static long descBytes(long[] d, long elem) {
        int type = (int) d[0];
        long w = d[1];
        long h = d[2];
        long depth = d[3];
        long array = d[4];
        long row = d[5] == 0 ? w * elem : d[5];
        switch (type) {
            case 0x10F4: // CL_MEM_OBJECT_IMAGE1D
            case 0x10F6: // CL_MEM_OBJECT_IMAGE1D_BUFFER
                return bounded(row);
            case 0x10F5: // CL_MEM_OBJECT_IMAGE1D_ARRAY
                return bounded((d[6] == 0 ? row : d[6]) * array);
            case 0x10F1: // CL_MEM_OBJECT_IMAGE2D
                return bounded(row * h);
            case 0x10F3: // CL_MEM_OBJECT_IMAGE2D_ARRAY
                return bounded((d[6] == 0 ? row * h : d[6]) * array);
            case 0x10F2: // CL_MEM_OBJECT_IMAGE3D
                return bounded((d[6] == 0 ? row * h : d[6]) * depth);
            default:
                return -1;
        }
    }

    private static long bounded(long v) {
        return v < 0 || v > (1L << 40) ? -1 : v;
    }

    /** Bytes per pixel of an image format, or -1 for one the spec does not define. */
    public static long elementSize(int[] format) {
        if (format == null) {
            return -1;
        }
        int order = format[0];
        int type = format[1];
        long typeSize;
        boolean packed = false;
        switch (type) {
            case 0x10D0: case 0x10D2: case 0x10D7: case 0x10DA: typeSize = 1; break;
            case 0x10D1: case 0x10D3: case 0x10D8: case 0x10DB: case 0x10DD: typeSize = 2; break;
            case 0x10D9: case 0x10DC: case 0x10DE: typeSize = 4; break;
            case 0x10D4: case 0x10D5: typeSize = 2; packed = true; break;
            case 0x10D6: case 0x10DF: case 0x10E0: typeSize = 4; packed = true; break;
            default: return -1;
        }
        if (packed) {
            return typeSize;
        }
        int channels;
        switch (order) {
            case 0x10B0: case 0x10B1: case 0x10B8: case 0x10B9: case 0x10BA: case 0x10BD: channels = 1; break;
            case 0x10B2: case 0x10B3: case 0x10BB: case 0x10BE: channels = 2; break;
            case 0x10B4: case 0x10BC: case 0x10BF: case 0x10C0: channels = 3; break;
            case 0x10B5: case 0x10B6: case 0x10B7: case 0x10C1: case 0x10C2: case 0x10C3: channels = 4; break;
            default: return -1;
        }
        return channels * typeSize;
    }

    @Override
    public String toString() {
        return kind.name();
    }
}
