package io.ava.it;

import com.google.protobuf.ByteString;
import io.ava.proto.BlobList;
import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.LongList;
import io.ava.proto.TextList;
import io.ava.proto.Value;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Role;
import io.ava.spec.Spec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Turns generated call descriptions ({@link CallTok}, made by jqwik) into wire calls for the spec's functions:
 * each argument is encoded by its role, as the agent would, but with the generated choice deciding whether it
 * is right or wrong (wrong handle type, stale, foreign or random ids, negative and huge sizes and counts,
 * truncated data, malformed lists). Handles are resolved against the session's pool of live objects at the
 * time the call is built, so the same description means "a valid queue" in every try.
 */
final class CallFuzzer {

    /** How one argument is chosen: {@code kind} picks the flavour (see {@link #arg}), {@code value} and {@code len} feed it. */
    record ArgTok(int kind, long value, int len) {
    }

    /**
     * One call: {@code fn} the function number (or, with {@code fnMode} 1 and 2, a negative or too large one),
     * the argument choices in order, {@code shape} (0: right argument counts; else one too few or too many),
     * whether it is sent async, the client thread, and bulk chunk mutations for in-arguments sent as bulk.
     */
    record CallTok(int fn, int fnMode, List<ArgTok> args, int shape, boolean async, int thread) {
    }

    static final long[] EDGES = {0, 1, -1, 2, 3, 4, 7, 8, 16, 64, 1024, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 0xFFFFFFFFL, 1L << 62, -4096, 1L << 40, 65536, 1025, 1023};
    static final int[] LENGTHS = {0, 1, 3, 4, 8, 12, 16, 24, 64, 100, 256, 1024, 1025, 4096};
    static final String[] OPTIONS = {"", "-cl-fast-relaxed-math", "-DX=1", "-cl-std=CL1.2", "--no-such-option", "-I /nonexistent"};
    static final String[] TEXTS = {"", "k", "kernel void k(global int* a, int n) { }", "not a kernel \u00e9\u4e2d",
        "kernel void", "x".repeat(5000), "k\u0000hidden"};

    /** The session's objects: valid ones by type, released ones, and another session's. */
    static final class Pool {
        final Map<HandleType, List<Long>> valid = new EnumMap<>(HandleType.class);
        final List<Long> stale = new ArrayList<>();
        final List<Long> foreign = new ArrayList<>();
        final List<Long> svm = new ArrayList<>();

        void add(HandleType t, long id) {
            valid.computeIfAbsent(t, k -> new ArrayList<>()).add(id);
        }

        long valid(HandleType t, long pick) {
            List<Long> l = valid.get(t);
            return l == null || l.isEmpty() ? 0 : l.get((int) Math.floorMod(pick, (long) l.size()));
        }

        long wrongType(HandleType t, long pick) {
            HandleType[] all = HandleType.values();
            for (int k = 1; k <= all.length; k++) {
                HandleType o = all[(int) Math.floorMod(pick + k, (long) all.length)];
                if (o != t && valid.containsKey(o)) {
                    return valid(o, pick);
                }
            }
            return 0;
        }

        static long from(List<Long> l, long pick) {
            return l.isEmpty() ? 0 : l.get((int) Math.floorMod(pick, (long) l.size()));
        }
    }

    private final Spec spec;
    private final int functions;
    private long nextNewId = 1L << 40;

    CallFuzzer(Spec spec) {
        this.spec = spec;
        this.functions = spec.functions().size();
    }

    int functions() {
        return functions;
    }

    /** What was built: the call, and the chunks to send before it (for in-arguments that travel as bulk). */
    record Built(Call call, List<BulkChunk> chunks) {
    }

    Built build(CallTok tok, long callId, Pool pool) {
        Call.Builder c = Call.newBuilder().setCallId(callId).setThread(tok.thread()).setAsync(tok.async());
        List<BulkChunk> chunks = new ArrayList<>();
        if (tok.fnMode() == 1) {
            return new Built(c.setFunction(-1 - tok.fn()).build(), chunks); // negative: a huge uint32
        }
        if (tok.fnMode() == 2) {
            return new Built(c.setFunction(functions + tok.fn()).build(), chunks);
        }
        FunctionSpec f = spec.function(tok.fn());
        Random r = new Random(tok.hashCode());
        c.setFunction(f.index());
        c.setNewId(tok.args().isEmpty() || tok.args().get(0).kind() != 15 ? nextNewId++ : pool.valid(HandleType.cl_mem, 0));
        boolean validKernel = false;
        for (int i = 0; i < f.args().size(); i++) {
            ArgSpec a = f.arg(i);
            ArgTok t = i < tok.args().size() ? tok.args().get(i) : new ArgTok(0, i, 4);
            if (f.isPacked(i)) {
                long x = a.role() == Role.handle ? handle(a.handleType(), t, pool) : scalar(t);
                if (a.role() == Role.handle && a.handleType() == HandleType.cl_kernel && x == pool.valid(HandleType.cl_kernel, 0)) {
                    validKernel = x != 0;
                }
                c.addScalars(x);
            } else {
                c.addArgs(arg(f, a, t, pool, callId, chunks, r, validKernel));
            }
        }
        switch (tok.shape()) {
            case 1 -> {
                if (c.getArgsCount() > 0) {
                    c.removeArgs(c.getArgsCount() - 1);
                } else if (c.getScalarsCount() > 0) {
                    List<Long> s = new ArrayList<>(c.getScalarsList());
                    s.remove(s.size() - 1);
                    c.clearScalars().addAllScalars(s);
                }
            }
            case 2 -> c.addScalars(r.nextLong());
            case 3 -> c.addArgs(Value.newBuilder().setScalar(r.nextLong()));
            default -> { }
        }
        return new Built(c.build(), chunks);
    }

    static long scalar(ArgTok t) {
        int k = t.kind();
        if (k < 5) {
            return Math.floorMod(t.value(), 17L); // small: counts, indexes, flags, booleans
        }
        if (k < 10) {
            return EDGES[(int) Math.floorMod(t.value(), (long) EDGES.length)];
        }
        if (k < 12) {
            return 0x1000 + Math.floorMod(t.value(), 0x200L); // the info and enum range
        }
        if (k < 13) {
            return 1L << Math.floorMod(t.value(), 64L); // one flag bit
        }
        return t.value();
    }

    long handle(HandleType type, ArgTok t, Pool pool) {
        return switch (t.kind()) {
            case 6 -> pool.wrongType(type, t.value());
            case 7 -> Pool.from(pool.stale, t.value());
            case 8 -> Pool.from(pool.foreign, t.value());
            case 9 -> t.value();
            case 10 -> 0;
            case 11 -> -1;
            case 12 -> (1L << 62) | Math.floorMod(t.value(), 64L); // where the server numbers its own objects
            case 13 -> Math.floorMod(t.value(), 64L);
            default -> pool.valid(type, t.value());
        };
    }

    private Value arg(FunctionSpec f, ArgSpec a, ArgTok t, Pool pool, long callId, List<BulkChunk> chunks, Random r,
                      boolean validKernel) {
        Value.Builder v = Value.newBuilder();
        if (t.kind() == 14 && a.role() != Role.errcode_ret) {
            return v.setIsNull(true).build();
        }
        if (t.kind() == 15) {
            // a value of another kind than the role expects
            return switch ((int) Math.floorMod(t.value(), 5L)) {
                case 0 -> v.setText("wrong").build();
                case 1 -> v.setData(ByteString.copyFrom(new byte[t.len() & 63])).build();
                case 2 -> v.setLongs(LongList.newBuilder().addValues(t.value())).build();
                case 3 -> v.setOutSize(t.value()).build();
                default -> Value.getDefaultInstance();
            };
        }
        int len = LENGTHS[Math.floorMod(t.len(), LENGTHS.length)];
        switch (a.role()) {
            case handles: {
                LongList.Builder l = LongList.newBuilder();
                int n = t.len() == 99 ? 200 : Math.floorMod(t.len(), 4);
                for (int k = 0; k < n; k++) {
                    l.addValues(handle(a.handleType(), new ArgTok(t.kind() == 0 ? 0 : r.nextInt(14), t.value() + k, 0), pool));
                }
                return v.setLongs(l).build();
            }
            case out_handles:
            case out_ints:
            case out_image_formats:
                return v.setOutSize(t.kind() < 5 ? Math.floorMod(t.value(), 8L) : scalar(t)).build();
            case out:
                return v.setOutSize(t.kind() < 5 ? len : scalar(t)).build();
            case out_scalar:
            case size_ret:
                return t.kind() < 10 ? v.setOutSize(1).build() : v.setIsNull(true).build();
            case errcode_ret:
                return v.setIsNull(true).build();
            case out_event:
                // always a fresh id: an id named here is reserved on arrival, and a call on another client thread that
                // names the same id waits for this one (see the report: lookups wait for later reservations too)
                return t.kind() < 4 ? v.setIsNull(true).build() : v.setScalar(nextNewId++).build();
            case in:
            case inout: {
                if (t.kind() == 9 || t.kind() == 10) {
                    HandleRefs.Builder refs = HandleRefs.newBuilder();
                    long id = handle(HandleType.cl_mem, new ArgTok(Math.floorMod(t.value(), 14), t.value(), 0), pool);
                    refs.addIds(id).addTypes(t.kind() == 9 ? HandleType.cl_mem.ordinal() : Math.floorMod(t.len(), 12));
                    return v.setRefs(refs).build();
                }
                if (t.kind() == 11 || t.kind() == 12) {
                    // bulk: chunks that add up, or wrong totals, offsets or lengths
                    int size = len;
                    v.setBulkSize(t.kind() == 11 ? size : scalar(new ArgTok(5, t.value(), 0)));
                    long total = t.kind() == 11 ? size : switch ((int) Math.floorMod(t.value(), 6L)) {
                        case 0 -> size + 1;
                        case 1 -> Math.max(0, size - 1);
                        case 2 -> 0;
                        case 3 -> 1L << 31;
                        case 4 -> -1;
                        default -> Long.MAX_VALUE;
                    };
                    long offset = t.kind() == 11 ? 0 : EDGES[(int) Math.floorMod(t.value() >> 3, (long) EDGES.length)];
                    chunks.add(BulkChunk.newBuilder().setCallId(callId).setArg(a.index()).setOffset(offset)
                        .setTotal(total).setData(ByteString.copyFrom(bytes(r, size))).setLast(true).build());
                    return v.build();
                }
                if (f.name().equals("clSetKernelArg") && validKernel && t.kind() < 3) {
                    len = Math.floorMod(t.len(), 2) == 0 ? 4 : 8;
                }
                return v.setData(ByteString.copyFrom(bytes(r, len))).build();
            }
            case longs: {
                LongList.Builder l = LongList.newBuilder();
                int n = t.len() == 99 ? 100 : Math.floorMod(t.len(), 5);
                for (int k = 0; k < n; k++) {
                    long x = t.kind() < 5 ? 1 + Math.floorMod(t.value() + k, 16L) : scalar(new ArgTok(r.nextInt(16), r.nextLong(), 0));
                    if (validKernel && (f.name().equals("clEnqueueNDRangeKernel"))) {
                        x = 1 + Math.floorMod(x, 64L); // a valid launch of the empty kernel stays short
                    }
                    l.addValues(x);
                }
                return v.setLongs(l).build();
            }
            case string:
                return v.setText(f.name().contains("Program") ? OPTIONS[Math.floorMod(t.len(), OPTIONS.length)]
                    : TEXTS[Math.floorMod(t.len(), TEXTS.length)]).build();
            case strings: {
                TextList.Builder l = TextList.newBuilder();
                for (int k = 0; k < Math.floorMod(t.len(), 4); k++) {
                    l.addValues(TEXTS[Math.floorMod(t.value() + k, TEXTS.length)]);
                }
                return v.setTexts(l).build();
            }
            case binaries: {
                BlobList.Builder l = BlobList.newBuilder();
                for (int k = 0; k < Math.floorMod(t.len(), 3); k++) {
                    l.addValues(ByteString.copyFrom(bytes(r, len)));
                }
                return v.setBlobs(l).build();
            }
            case properties:
                return v.setLongs(properties(t, pool, r)).build();
            case svm_ptr:
            case svm_ptrs: {
                LongList.Builder l = LongList.newBuilder();
                int n = a.role() == Role.svm_ptr ? 2 + Math.floorMod(t.len(), 3) : Math.floorMod(t.len(), 5);
                for (int k = 0; k < n; k++) {
                    // an unmap's fourth value 0: "no bytes follow" (bytes announced and never sent wait a minute on the side channel)
                    l.addValues(a.role() == Role.svm_ptr && k == 3 ? 0
                        : k % 2 == 0 ? (t.kind() < 5 ? Pool.from(pool.svm, t.value()) : handle(HandleType.cl_mem, t, pool))
                        : scalar(new ArgTok(r.nextInt(16), r.nextLong(), 0)));
                }
                return v.setLongs(l).build();
            }
            case exec_info:
                if (t.kind() < 4) {
                    return v.setLongs(LongList.newBuilder().addValues(Pool.from(pool.svm, t.value())).addValues(0)).build();
                }
                return v.setData(ByteString.copyFrom(bytes(r, len))).build();
            case image_format:
                return v.setLongs(longs(r, Math.floorMod(t.len(), 4) * 2 - (t.kind() > 10 ? 1 : 0),
                    t.kind() < 5 ? new long[]{0x10B5, 0x10DA, 0x10B0, 0x10D2} : null)).build();
            case image_desc: {
                LongList.Builder l = LongList.newBuilder();
                int n = t.kind() < 10 ? 10 : Math.floorMod(t.len(), 12);
                long[] plausible = {0x10F1 + Math.floorMod(t.value(), 6L), 1 + Math.floorMod(t.value(), 8L), 1 + Math.floorMod(t.value() >> 4, 8L), 1, 1, 0, 0, 0, 0, 0};
                for (int k = 0; k < n; k++) {
                    long x = t.kind() < 5 && k < 10 ? plausible[k] : scalar(new ArgTok(r.nextInt(16), r.nextLong(), 0));
                    if (k == 9) {
                        x = t.kind() < 3 ? 0 : handle(HandleType.cl_mem, new ArgTok(r.nextInt(14), r.nextLong(), 0), pool);
                    }
                    l.addValues(x);
                }
                return v.setLongs(l).build();
            }
            case buffer_region:
                return v.setLongs(longs(r, t.kind() < 8 ? 2 : Math.floorMod(t.len(), 4), null)).build();
            case mapped: {
                LongList.Builder l = LongList.newBuilder();
                int n = Math.floorMod(t.len(), 3);
                if (n > 0) {
                    l.addValues(t.kind() < 5 ? Math.floorMod(t.value(), 1L << 20) : t.value());
                }
                if (n > 1) {
                    l.addValues(0); // never "bytes follow": a missing bulk input waits for the side channel
                }
                return v.setLongs(l).build();
            }
            case callback:
                return v.setScalar(t.kind() < 8 ? 0 : t.value()).build();
            case user_data:
                return v.setIsNull(true).build();
            case scalar:
                return v.setScalar(scalar(t)).build();
            case handle:
                return v.setScalar(handle(a.handleType(), t, pool)).build();
            default:
                return v.setScalar(t.value()).build();
        }
    }

    /** Property lists: well formed, odd length, unterminated, unknown keys, bad platform values. */
    private LongList properties(ArgTok t, Pool pool, Random r) {
        LongList.Builder l = LongList.newBuilder();
        long platform = pool.valid(HandleType.cl_platform_id, 0);
        switch ((int) Math.floorMod(t.value(), 8L)) {
            case 0 -> { }
            case 1 -> l.addValues(0x1084).addValues(platform).addValues(0);
            case 2 -> l.addValues(0x1084).addValues(platform); // unterminated
            case 3 -> l.addValues(0x1084); // odd length, no value
            case 4 -> l.addValues(0x1084).addValues(handle(HandleType.cl_platform_id, new ArgTok(r.nextInt(14), r.nextLong(), 0), pool)).addValues(0);
            case 5 -> l.addValues(0x7777).addValues(r.nextLong()).addValues(0); // an unknown key
            case 6 -> l.addValues(0x1093).addValues(r.nextLong()).addValues(0x1093).addValues(r.nextLong()); // queue properties, repeated
            default -> {
                for (int k = 0; k < Math.floorMod(t.len(), 9); k++) {
                    l.addValues(scalar(new ArgTok(r.nextInt(16), r.nextLong(), 0)));
                }
            }
        }
        return l.build();
    }

    private static LongList longs(Random r, int n, long[] plausible) {
        LongList.Builder l = LongList.newBuilder();
        for (int k = 0; k < n; k++) {
            l.addValues(plausible != null ? plausible[r.nextInt(plausible.length)] : scalar(new ArgTok(r.nextInt(16), r.nextLong(), 0)));
        }
        return l.build();
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        if (r.nextBoolean()) {
            r.nextBytes(b);
        }
        return b;
    }
}
