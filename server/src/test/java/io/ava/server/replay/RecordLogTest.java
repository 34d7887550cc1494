package io.ava.server.replay;

import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.Value;
import io.ava.spec.FunctionSpec;
import io.ava.spec.Spec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record log keeps what replay needs, drops what nothing needs, and does not grow in a loop. */
class RecordLogTest {
    private final Spec spec = Spec.bundled();
    private final RecordLog log = new RecordLog();

    private FunctionSpec fn(String name) {
        return spec.forNative(name + "Native");
    }

    /** Records a creating call whose handle arguments are given by position. */
    private void create(String name, long id, long... handles) {
        FunctionSpec f = fn(name);
        long[] h = new long[f.args().size()];
        for (int i = 0; i < handles.length; i += 2) {
            h[(int) handles[i]] = handles[i + 1];
        }
        log.recorded(f, Call.newBuilder().setFunction(f.index()).setNewId(id).build(), h, new long[]{id}, 0);
    }

    private void setArg(long kernel, int index, long boundObject) {
        FunctionSpec f = fn("clSetKernelArg");
        Value v = boundObject != 0
                ? Value.newBuilder().setRefs(HandleRefs.newBuilder().addIds(boundObject).addTypes(4)).build()
                : Value.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(new byte[4])).build();
        Call call = Call.newBuilder().setFunction(f.index()).addScalars(kernel).addScalars(index).addScalars(8).addArgs(v).build();
        log.recorded(f, call, new long[]{kernel, 0, 0, 0}, new long[0], boundObject);
    }

    private List<String> functions() {
        return log.snapshot().stream().map(r -> spec.function(r.call().getFunction()).name()).toList();
    }

    @Test
    void aLoopOfKernelArgumentsKeepsOnlyTheLatestPerIndex() {
        create("clCreateContext", 1);
        create("clCreateProgramWithSource", 2, 0, 1);
        create("clCreateKernel", 3, 0, 2);
        for (int i = 0; i < 100_000; i++) {
            setArg(3, i % 2, 0);
        }
        assertEquals(List.of("clCreateContext", "clCreateProgramWithSource", "clCreateKernel", "clSetKernelArg", "clSetKernelArg"),
                functions());
        long bytes = log.bytes();
        for (int i = 0; i < 1000; i++) {
            setArg(3, 0, 0);
        }
        assertEquals(bytes, log.bytes(), "the log must not grow with the loop count");
    }

    @Test
    void aKernelKeepsItsReleasedProgramReplayable() {
        create("clCreateContext", 1);
        create("clCreateProgramWithSource", 2, 0, 1);
        create("clCreateKernel", 3, 0, 2);
        log.released(2);
        assertTrue(functions().contains("clCreateProgramWithSource"), "the kernel still needs its program");
        log.released(3);
        assertEquals(List.of("clCreateContext"), functions(), "kernel and program go together");
        log.released(1);
        assertEquals(List.of(), functions());
        assertEquals(0, log.objects());
        assertEquals(0, log.bytes());
    }

    @Test
    void aBufferBoundAsKernelArgumentStaysUntilTheArgumentChanges() {
        create("clCreateContext", 1);
        create("clCreateBuffer", 10, 0, 1);
        create("clCreateBuffer", 11, 0, 1);
        create("clCreateProgramWithSource", 2, 0, 1);
        create("clCreateKernel", 3, 0, 2);
        setArg(3, 0, 10);
        log.released(10);
        assertEquals(2, functions().stream().filter("clCreateBuffer"::equals).count(), "buffer 10 is still an argument");
        setArg(3, 0, 11);
        assertEquals(1, functions().stream().filter("clCreateBuffer"::equals).count(), "buffer 10 is needed no more");
    }

    @Test
    void retainsKeepAnObjectUntilTheLastRelease() {
        create("clCreateContext", 1);
        create("clCreateBuffer", 10, 0, 1);
        log.retained(10);
        log.released(10);
        assertTrue(functions().contains("clCreateBuffer"));
        log.released(10);
        assertEquals(List.of("clCreateContext"), functions());
    }

    @Test
    void kernelArgumentsReplayAfterEveryObjectTheyName() {
        create("clCreateContext", 1);
        create("clCreateProgramWithSource", 2, 0, 1);
        create("clCreateKernel", 3, 0, 2);
        create("clCreateBuffer", 10, 0, 1); // made after the kernel, bound to it below
        setArg(3, 0, 10);
        create("clCreateBuffer", 11, 0, 1);
        assertEquals(List.of("clCreateContext", "clCreateProgramWithSource", "clCreateKernel", "clCreateBuffer",
                "clCreateBuffer", "clSetKernelArg"), functions());
        log.released(10);
        assertEquals(2, functions().stream().filter("clCreateBuffer"::equals).count(), "buffer 10 is still an argument");
        log.released(3);
        assertEquals(List.of("clCreateContext", "clCreateProgramWithSource", "clCreateBuffer"), functions(),
                "a released kernel takes its arguments with it, and what only they held");
        assertEquals(0, log.bytes() - log.snapshot().stream().mapToLong(r -> r.call().getSerializedSize()).sum());
    }
}
