package io.ava.server.dispatch;

import java.util.Locale;

/**
 * What one session may hold: device memory (bytes of its live buffers, images, pipes and SVM
 * allocations; sub-buffers and images over a buffer add nothing), live objects (handles it
 * owns), and bulk bytes received for calls that have not taken them yet (in flight). Checked
 * before native code, and answered as a driver would: CL_MEM_OBJECT_ALLOCATION_FAILURE past the
 * memory limit, CL_OUT_OF_RESOURCES past the object limit, CL_OUT_OF_HOST_MEMORY for a transfer
 * no buffer of the session could hold.
 */
public record Limits(long maxMemory, long maxObjects, long maxInflight) {
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final long DEFAULT_OBJECTS = 100_000;
    public static final long DEFAULT_INFLIGHT = 256L << 20;
    /** No limits at all (replays of migrated sessions, unit tests). */
    public static final Limits NONE = new Limits(UNLIMITED, UNLIMITED, UNLIMITED);

    public static final int CL_MEM_OBJECT_ALLOCATION_FAILURE = -4;
    public static final int CL_OUT_OF_RESOURCES = -5;
    public static final int CL_OUT_OF_HOST_MEMORY = -6;

    public Limits {
        if (maxMemory <= 0 || maxObjects <= 0 || maxInflight <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /**
     * A size as people write it: {@code 512m}, {@code 2g}, {@code 64k}, {@code 1048576} (bytes),
     * {@code unlimited} (or {@code none}, {@code 0}).
     */
    public static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("unlimited") || s.equals("none") || s.equals("0")) {
            return UNLIMITED;
        }
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b") && s.length() > 1 && Character.isLetter(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        switch (unit) {
            case 'k' -> shift = 10;
            case 'm' -> shift = 20;
            case 'g' -> shift = 30;
            case 't' -> shift = 40;
            default -> shift = -1;
        }
        String digits = shift >= 0 ? s.substring(0, s.length() - 1).trim() : s;
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 512m, 2g, 65536, unlimited)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("'" + text + "': a size cannot be negative");
        }
        shift = Math.max(shift, 0);
        if (n > (Long.MAX_VALUE >> shift)) {
            return UNLIMITED;
        }
        return n << shift;
    }

    /** A size for messages and status: "512 MiB", "unlimited". */
    public static String describe(long bytes) {
        if (bytes == UNLIMITED) {
            return "unlimited";
        }
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    @Override
    public String toString() {
        return "memory " + describe(maxMemory) + ", objects " + (maxObjects == UNLIMITED ? "unlimited" : maxObjects)
                + ", in flight " + describe(maxInflight);
    }
}
