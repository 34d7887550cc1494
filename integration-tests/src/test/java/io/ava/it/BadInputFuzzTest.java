package io.ava.it;

import io.ava.it.CallFuzzer.ArgTok;
import io.ava.it.CallFuzzer.CallTok;
import io.ava.proto.BulkChunk;
import io.ava.proto.Call;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.TextList;
import io.ava.proto.Value;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.Spec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue "Hardening": random and mutated calls on the raw gRPC API, built from the spec (no agent), against a
 * real ava-server on PoCL, while a well-behaved application runs under the agent against the same server.
 * Every sync call must get a reply; no reply may be an internal error; the server must survive and still
 * answer status; the application must print what it prints natively.
 *
 * <p>jqwik generates call descriptions ({@link CallTok}); each try is one batch of {@link #BATCH} of them,
 * sent pipelined after a valid prefix (context, queue, buffer, program, kernel, sampler, events) that gives
 * the session live objects to aim at, and followed by the prefix's release, which turns its ids stale.
 */
class BadInputFuzzTest {
    static final int BATCH = 500;
    static final int TRIES = 200; // 200 x 500 = 100,000 generated calls
    static final int CALLS_PER_MESSAGE = 50;

    static Spec spec;
    static CallFuzzer fuzzer;
    static ServerProcess server;
    static RawSession session;
    static RawSession other;
    static final CallFuzzer.Pool pool = new CallFuzzer.Pool();
    static final AtomicLong callIds = new AtomicLong(1);
    static final AtomicLong poolIds = new AtomicLong(1);

    static final AtomicLong sent = new AtomicLong();
    static final AtomicLong sentSync = new AtomicLong();
    static final AtomicLong replied = new AtomicLong();
    static final AtomicLong refusedBeforeNative = new AtomicLong();
    static final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    static final List<String> internalErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    static long startNanos;

    /** the well-behaved application: runs again and again while the fuzzer runs */
    static final AtomicBoolean fuzzing = new AtomicBoolean(true);
    static Thread wellBehaved;
    static final List<String> wellBehavedFailures = java.util.Collections.synchronizedList(new ArrayList<>());
    static final AtomicLong wellBehavedRuns = new AtomicLong();
    static final String SCENARIO = "VectorPipeline";

    @BeforeContainer
    static void start() throws Exception {
        spec = Spec.bundled();
        fuzzer = new CallFuzzer(spec);
        // the server logs each native call as it starts (about 30 MB), so a crash names its call; -Dfuzz.trace=false: not
        server = Boolean.parseBoolean(System.getProperty("fuzz.trace", "true"))
            ? ServerProcess.start("fuzz", List.of("-Dava.log.level=TRACE"))
            : ServerProcess.start("fuzz");
        session = new RawSession(server.address(), spec.digest(), "fuzz");
        other = new RawSession(server.address(), spec.digest(), "fuzz-foreign");
        // the other session's objects: ids this session must never reach
        long[] platformDevice = platformAndDevice(other);
        poolIds.set(1L << 41);
        CallFuzzer.Pool theirs = new CallFuzzer.Pool();
        makePrefix(other, theirs, platformDevice);
        theirs.valid.values().forEach(pool.foreign::addAll);
        poolIds.set(1);

        ScenarioRunner.Result nativeRun = ScenarioRunner.runNative(SCENARIO);
        assertEquals(0, nativeRun.exitCode(), () -> "the scenario failed natively\n" + nativeRun.describe());
        String expected = Normalizer.normalize(nativeRun.stdout());
        wellBehaved = new Thread(() -> {
            try {
                do {
                    ScenarioRunner.Result remote = ScenarioRunner.runRemote(SCENARIO, server.port());
                    wellBehavedRuns.incrementAndGet();
                    if (remote.exitCode() != 0 || !expected.equals(Normalizer.normalize(remote.stdout()))) {
                        wellBehavedFailures.add(remote.describe());
                    }
                } while (fuzzing.get());
            } catch (Throwable t) {
                wellBehavedFailures.add(String.valueOf(t));
            }
        }, "well-behaved-session");
        wellBehaved.start();
        startNanos = System.nanoTime();
    }

    @AfterContainer
    static void finish() throws Exception {
        fuzzing.set(false);
        try {
            if (wellBehaved != null) {
                wellBehaved.join(TimeUnit.MINUTES.toMillis(2));
            }
            printSummary();
            assertTrue(server.isAlive(), () -> "the server died\n" + server.logTail(80));
            ServerProcess.Status status = server.status(); // still answers
            assertTrue(status.sessions() >= 2, () -> "the fuzz sessions are gone:\n" + status.raw());
            assertTrue(internalErrors.isEmpty(), () -> internalErrors.size() + " internal errors, first: " + internalErrors.get(0)
                + "\n" + server.logTail(80));
            assertTrue(wellBehavedRuns.get() > 0 && wellBehavedFailures.isEmpty(),
                () -> "the well-behaved session (" + SCENARIO + ", " + wellBehavedRuns + " runs) failed:\n" + wellBehavedFailures);
            assertEquals(sentSync.get(), replied.get(), "every sync call gets a reply");
        } finally {
            if (session != null) {
                session.close();
            }
            if (other != null) {
                other.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Property(tries = TRIES)
    void everyCallGetsAnAnswerAndTheServerSurvives(@ForAll("batches") List<CallTok> batch) throws Exception {
        assertTrue(server.isAlive(), () -> "the server died\n" + server.logTail(80));
        List<Long> prefix = makePrefix(session, pool, platformAndDevice(session));
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        syncCalls.clear();
        List<Call> message = new ArrayList<>();
        for (CallTok tok : batch) {
            CallFuzzer.Built b = fuzzer.build(tok, callIds.getAndIncrement(), pool);
            if (Boolean.getBoolean("fuzz.debug") && spec.function(b.call().getFunction()) != null
                && spec.function(b.call().getFunction()).name().startsWith(System.getProperty("fuzz.debugFn", "clCreateContext"))) {
                System.out.println("DEBUG " + describe(b.call()));
            }
            for (BulkChunk c : b.chunks()) {
                flush(message, futures);
                session.chunk(c);
            }
            message.add(b.call());
            if (message.size() == CALLS_PER_MESSAGE) {
                flush(message, futures);
            }
        }
        flush(message, futures);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int k = 0; k < futures.size(); k++) {
            CompletableFuture<Reply> f = futures.get(k);
            Reply r;
            try {
                r = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no reply within 90 s to " + describe(syncCalls.get(k)) + " (" + session.ended.get() + ")\n"
                    + serverThreads() + "\n" + server.logTail(30));
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the session ended: " + e.getCause() + "\n" + server.logTail(60));
            }
            replied.incrementAndGet();
            tally(r);
        }
        releasePrefix(prefix);
    }

    static final List<Call> syncCalls = new ArrayList<>();

    static String describe(Call c) {
        FunctionSpec f = spec.function(c.getFunction());
        return (f == null ? "function " + c.getFunction() : f.name()) + " " + c.toString().replace('\n', ' ');
    }

    /** The server's session threads, to see where a call hangs. */
    static String serverThreads() {
        try {
            Process p = new ProcessBuilder(Paths.java().getParent().resolve("jstack").toString(), String.valueOf(server.serverJvm().pid()))
                .redirectErrorStream(true).start();
            String all = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder b = new StringBuilder();
            for (String thread : all.split("\n\n")) {
                if (thread.contains("ava-session-") && thread.contains("io.ava.server")) {
                    b.append(thread).append("\n\n");
                }
            }
            return b.toString();
        } catch (Exception e) {
            return "(no jstack: " + e + ")";
        }
    }

    private static void flush(List<Call> message, List<CompletableFuture<Reply>> futures) {
        if (message.isEmpty()) {
            return;
        }
        for (Call c : message) {
            sent.incrementAndGet();
            if (!c.getAsync()) {
                sentSync.incrementAndGet();
            }
        }
        futures.addAll(session.send(new ArrayList<>(message)));
        message.stream().filter(c -> !c.getAsync()).forEach(syncCalls::add);
        message.clear();
    }

    static void tally(Reply r) {
        String key;
        if (r.getMessage().equals("internal server error")) {
            key = "INTERNAL ERROR";
            internalErrors.add("call " + r.getCallId());
        } else if (!r.getExceptionClass().isEmpty()) {
            key = "JOCL exception " + r.getExceptionClass();
        } else {
            long code = r.getErrcode() != 0 ? r.getErrcode() : r.getResult() < 0 && r.getResult() > -10000 ? r.getResult() : 0;
            key = code == 0 ? "CL_SUCCESS (0)" : codeName((int) code);
            if (!r.getMessage().isEmpty()) {
                refusedBeforeNative.incrementAndGet();
            }
        }
        outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    @Provide
    Arbitrary<List<CallTok>> batches() {
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(0, 64),
            Arbitraries.of(LongStream.of(CallFuzzer.EDGES).boxed().toList()));
        Arbitrary<ArgTok> arg = Combinators.combine(Arbitraries.integers().between(0, 15), values,
            Arbitraries.integers().between(0, 100)).as(ArgTok::new);
        Arbitrary<CallTok> call = Combinators.combine(
            Arbitraries.integers().between(0, fuzzer.functions() - 1),
            Arbitraries.frequency(Tuple.of(96, 0), Tuple.of(2, 1), Tuple.of(2, 2)),
            arg.list().ofMaxSize(12),
            Arbitraries.frequency(Tuple.of(92, 0), Tuple.of(3, 1), Tuple.of(3, 2), Tuple.of(2, 3)),
            Arbitraries.frequency(Tuple.of(80, false), Tuple.of(20, true)),
            Arbitraries.integers().between(1, 3)).as(CallTok::new);
        return call.list().ofSize(BATCH);
    }

    // ------------------------------------------------------------------ the valid prefix

    static long[] platformAndDevice(RawSession s) throws Exception {
        Reply p = s.call(call("clGetPlatformIDs", 1L, out(1), out(1)));
        long platform = ReplyOutputs.get(p, 1).getRefs().getIds(0);
        Reply d = s.call(call("clGetDeviceIDs", platform, 0xFFFFFFFFL, 1L, out(1), out(1)));
        long device = ReplyOutputs.get(d, 3).getRefs().getIds(0);
        return new long[]{platform, device};
    }

    /** Context, queue, buffer, built program, kernel, sampler, completed user event and marker event: ids into the pool. */
    static List<Long> makePrefix(RawSession s, CallFuzzer.Pool into, long[] platformDevice) throws Exception {
        long platform = platformDevice[0];
        long device = platformDevice[1];
        into.valid.clear();
        into.add(HandleType.cl_platform_id, platform);
        into.add(HandleType.cl_device_id, device);
        List<Long> made = new ArrayList<>();
        long ctx = create(s, made, into, HandleType.cl_context, "clCreateContext",
            Value.newBuilder().setLongs(LongList.newBuilder().addValues(0x1084).addValues(platform).addValues(0)).build(),
            1L, Value.newBuilder().setLongs(LongList.newBuilder().addValues(device)).build(), scalarValue(0), nul(), nul());
        long queue = create(s, made, into, HandleType.cl_command_queue, "clCreateCommandQueue", ctx, device, 0L, nul());
        create(s, made, into, HandleType.cl_mem, "clCreateBuffer", ctx, 1L, 1024L, nul(), nul());
        long program = create(s, made, into, HandleType.cl_program, "clCreateProgramWithSource", ctx, 1L,
            Value.newBuilder().setTexts(TextList.newBuilder().addValues("kernel void k(global int* a, int n) { }")).build(), nul(), nul());
        Reply built = s.call(call("clBuildProgram", program, 1L, Value.newBuilder().setLongs(LongList.newBuilder().addValues(device)).build(),
            Value.newBuilder().setText("").build(), scalarValue(0), nul()));
        assertEquals(0, built.getResult(), () -> "clBuildProgram: " + built);
        create(s, made, into, HandleType.cl_kernel, "clCreateKernel", program, Value.newBuilder().setText("k").build(), nul());
        create(s, made, into, HandleType.cl_sampler, "clCreateSampler", ctx, 0L, 0x1130L, 0x1140L, nul());
        long user = create(s, made, into, HandleType.cl_event, "clCreateUserEvent", ctx, nul());
        Reply set = s.call(call("clSetUserEventStatus", user, 0L));
        assertEquals(0, set.getResult(), () -> "clSetUserEventStatus: " + set);
        long marker = poolIds.getAndIncrement();
        Reply m = s.call(call("clEnqueueMarkerWithWaitList", queue, 0L, nul(), scalarValue(marker)));
        assertEquals(0, m.getResult(), () -> "clEnqueueMarkerWithWaitList: " + m);
        into.add(HandleType.cl_event, marker);
        made.add(marker);
        return made;
    }

    private static long create(RawSession s, List<Long> made, CallFuzzer.Pool into, HandleType type, String fn, Object... args) throws Exception {
        long id = poolIds.getAndIncrement();
        Reply r = s.call(call(fn, args).toBuilder().setNewId(id).build());
        assertEquals(0, r.getErrcode(), () -> fn + ": " + r);
        assertEquals(id, r.getResult(), () -> fn + ": " + r);
        into.add(type, id);
        made.add(id);
        return id;
    }

    /** Releases the prefix's objects (sync), after which their ids are stale. */
    private static void releasePrefix(List<Long> made) throws Exception {
        List<Call> calls = new ArrayList<>();
        for (Map.Entry<HandleType, List<Long>> e : pool.valid.entrySet()) {
            String fn = switch (e.getKey()) {
                case cl_context -> "clReleaseContext";
                case cl_command_queue -> "clReleaseCommandQueue";
                case cl_mem -> "clReleaseMemObject";
                case cl_program -> "clReleaseProgram";
                case cl_kernel -> "clReleaseKernel";
                case cl_sampler -> "clReleaseSampler";
                case cl_event -> "clReleaseEvent";
                default -> null;
            };
            if (fn != null) {
                for (long id : e.getValue()) {
                    calls.add(call(fn, id).toBuilder().setCallId(callIds.getAndIncrement()).setThread(1).build());
                }
            }
        }
        for (CompletableFuture<Reply> f : session.send(calls)) {
            f.get(30, TimeUnit.SECONDS); // released, or refused because a fuzzed call released it first
        }
        pool.stale.addAll(made);
        if (pool.stale.size() > 400) {
            pool.stale.subList(0, pool.stale.size() - 400).clear();
        }
    }

    /** A call of the named function: a Long per packed argument, a Value (or null for is_null) per other one. */
    static Call call(String name, Object... args) {
        FunctionSpec f = spec.functions().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        Call.Builder c = Call.newBuilder().setCallId(callIds.getAndIncrement()).setFunction(f.index()).setThread(1);
        for (int i = 0; i < f.args().size(); i++) {
            Object a = args[i];
            if (f.isPacked(i)) {
                c.addScalars((Long) a);
            } else {
                c.addArgs(a == null ? nul() : (Value) a);
            }
        }
        return c.build();
    }

    static Value out(long n) {
        return Value.newBuilder().setOutSize(n).build();
    }

    static Value nul() {
        return Value.newBuilder().setIsNull(true).build();
    }

    static Value scalarValue(long x) {
        return Value.newBuilder().setScalar(x).build();
    }

    // ------------------------------------------------------------------ the figures

    static void printSummary() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder b = new StringBuilder();
        b.append(String.format("%n==== bad-input fuzz: %d calls sent (%d sync, %d async) in %.1f s, %.0f calls/s ====%n",
            sent.get(), sentSync.get(), sent.get() - sentSync.get(), seconds, sent.get() / seconds));
        b.append(String.format("sync replies: %d of %d; replies to async calls (their failures): %d; pushes: %d; output chunks: %d%n",
            replied.get(), sentSync.get(), session.unexpectedReplies.get(), session.pushes.get(), session.chunks.get()));
        b.append(String.format("refused by the server's checks before native code: %d%n", refusedBeforeNative.get()));
        b.append(String.format("well-behaved %s runs under the agent meanwhile: %d, failed: %d%n", SCENARIO, wellBehavedRuns.get(),
            wellBehavedFailures.size()));
        b.append(String.format("%-48s %8s%n", "outcome of sync calls", "calls"));
        new TreeMap<>(outcomes).forEach((k, v) -> b.append(String.format("%-48s %8d%n", k, v.get())));
        System.out.println(b);
    }

    static String codeName(int code) {
        String name = CODES.get(code);
        return (name == null ? "CL error" : name) + " (" + code + ")";
    }

    static final Map<Integer, String> CODES = Map.ofEntries(
        Map.entry(-1, "CL_DEVICE_NOT_FOUND"), Map.entry(-2, "CL_DEVICE_NOT_AVAILABLE"), Map.entry(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
        Map.entry(-5, "CL_OUT_OF_RESOURCES"), Map.entry(-6, "CL_OUT_OF_HOST_MEMORY"), Map.entry(-11, "CL_BUILD_PROGRAM_FAILURE"),
        Map.entry(-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET"), Map.entry(-17, "CL_LINK_PROGRAM_FAILURE"),
        Map.entry(-30, "CL_INVALID_VALUE"), Map.entry(-31, "CL_INVALID_DEVICE_TYPE"), Map.entry(-32, "CL_INVALID_PLATFORM"),
        Map.entry(-33, "CL_INVALID_DEVICE"), Map.entry(-34, "CL_INVALID_CONTEXT"), Map.entry(-35, "CL_INVALID_QUEUE_PROPERTIES"),
        Map.entry(-36, "CL_INVALID_COMMAND_QUEUE"), Map.entry(-37, "CL_INVALID_HOST_PTR"), Map.entry(-38, "CL_INVALID_MEM_OBJECT"),
        Map.entry(-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"), Map.entry(-40, "CL_INVALID_IMAGE_SIZE"), Map.entry(-41, "CL_INVALID_SAMPLER"),
        Map.entry(-42, "CL_INVALID_BINARY"), Map.entry(-43, "CL_INVALID_BUILD_OPTIONS"), Map.entry(-44, "CL_INVALID_PROGRAM"),
        Map.entry(-45, "CL_INVALID_PROGRAM_EXECUTABLE"), Map.entry(-46, "CL_INVALID_KERNEL_NAME"),
        Map.entry(-47, "CL_INVALID_KERNEL_DEFINITION"), Map.entry(-48, "CL_INVALID_KERNEL"), Map.entry(-49, "CL_INVALID_ARG_INDEX"),
        Map.entry(-50, "CL_INVALID_ARG_VALUE"), Map.entry(-51, "CL_INVALID_ARG_SIZE"), Map.entry(-52, "CL_INVALID_KERNEL_ARGS"),
        Map.entry(-53, "CL_INVALID_WORK_DIMENSION"), Map.entry(-54, "CL_INVALID_WORK_GROUP_SIZE"),
        Map.entry(-55, "CL_INVALID_WORK_ITEM_SIZE"), Map.entry(-56, "CL_INVALID_GLOBAL_OFFSET"),
        Map.entry(-57, "CL_INVALID_EVENT_WAIT_LIST"), Map.entry(-58, "CL_INVALID_EVENT"), Map.entry(-59, "CL_INVALID_OPERATION"),
        Map.entry(-61, "CL_INVALID_BUFFER_SIZE"), Map.entry(-63, "CL_INVALID_GLOBAL_WORK_SIZE"), Map.entry(-64, "CL_INVALID_PROPERTY"),
        Map.entry(-65, "CL_INVALID_IMAGE_DESCRIPTOR"), Map.entry(-66, "CL_INVALID_COMPILER_OPTIONS"),
        Map.entry(-67, "CL_INVALID_LINKER_OPTIONS"), Map.entry(-68, "CL_INVALID_DEVICE_PARTITION_COUNT"));
}
