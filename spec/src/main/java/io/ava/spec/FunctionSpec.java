package io.ava.spec;

import java.util.List;
import java.util.Map;

/** One JOCL native as the spec describes it, with AvA's object annotations. */
public final class FunctionSpec {
    /** What the native returns. */
    public enum Returns { status, handle, none, mapped, svm }

    private final int index;
    private final String name;
    private final int line;
    private final List<ArgSpec> args;
    private final Returns returns;
    private final HandleType returnsType;
    private final String unsupported;
    private final ArgSpec deallocates;
    private final ArgSpec retains;
    private final boolean record;
    private final List<ArgSpec> dependsOn;
    private final AsyncRule async;
    private final ArgSpec infoSelector;
    private final ArgSpec infoValue;
    private final Map<Integer, InfoValue> infoHandles;
    private final int[] slots;
    private final String agentLocal;
    private final boolean hasOutEvent;

    /** Whether the call may create an event (an enqueue's output event). */
    public boolean hasOutEvent() {
        return hasOutEvent;
    }

    /** For JOCL's own library hooks (not OpenCL functions) that the agent answers itself: why; else null. */
    public String agentLocal() {
        return agentLocal;
    }

    FunctionSpec(int index, String name, int line, List<ArgSpec> args, Returns returns, HandleType returnsType,
                 String unsupported, ArgSpec deallocates, ArgSpec retains, boolean record, List<ArgSpec> dependsOn,
                 AsyncRule async, ArgSpec infoSelector, ArgSpec infoValue, Map<Integer, InfoValue> infoHandles,
                 String agentLocal) {
        this.agentLocal = agentLocal;
        this.index = index;
        this.name = name;
        this.line = line;
        this.args = List.copyOf(args);
        this.returns = returns;
        this.returnsType = returnsType;
        this.unsupported = unsupported;
        this.deallocates = deallocates;
        this.retains = retains;
        this.record = record;
        this.dependsOn = List.copyOf(dependsOn);
        this.async = async;
        this.infoSelector = infoSelector;
        this.infoValue = infoValue;
        this.infoHandles = Map.copyOf(infoHandles);
        this.hasOutEvent = args.stream().anyMatch(a -> a.role() == Role.out_event);
        this.slots = new int[args.size()];
        int packed = 0;
        int values = 0;
        for (ArgSpec a : args) {
            slots[a.index()] = isPacked(a.index()) ? packed++ : values++;
        }
    }

    /** The info handle translations by param_name (for the snapshot). */
    Map<Integer, InfoValue> infoHandleMap() {
        return infoHandles;
    }

    /** Whether the argument travels in the call's packed scalars (scalars and handles) rather than as a Value. */
    public boolean isPacked(int arg) {
        Role r = args.get(arg).role();
        return r == Role.scalar || r == Role.handle;
    }

    /** The argument's position among the packed scalars or among the values, as {@link #isPacked} says. */
    public int slot(int arg) {
        return slots[arg];
    }

    /** Position in the spec: the function number on the wire. */
    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    /** The JOCL native method this entry describes. */
    public String nativeName() {
        return name + "Native";
    }

    public int line() {
        return line;
    }

    public List<ArgSpec> args() {
        return args;
    }

    public ArgSpec arg(int i) {
        return args.get(i);
    }

    public Returns returns() {
        return returns;
    }

    /** For functions that create an object: its type (AvA's ava_allocates). */
    public HandleType allocates() {
        return returnsType;
    }

    /** Null when remoted; otherwise why the function is refused. */
    public String unsupported() {
        return unsupported;
    }

    public boolean isSupported() {
        return unsupported == null;
    }

    /** The handle argument whose reference this call drops (ava_deallocates), or null. */
    public ArgSpec deallocates() {
        return deallocates;
    }

    /** The handle argument whose reference this call adds, or null. */
    public ArgSpec retains() {
        return retains;
    }

    /** Whether the call belongs in its object's replay log (ava_object_record). */
    public boolean record() {
        return record;
    }

    /** Handle arguments that must be replayed first and kept alive (ava_object_depends_on). */
    public List<ArgSpec> dependsOn() {
        return dependsOn;
    }

    /** When the client need not wait for the reply (ava_async). */
    public AsyncRule async() {
        return async;
    }

    /** For info queries: the param_name argument, else null. */
    public ArgSpec infoSelector() {
        return infoSelector;
    }

    /** For info queries: the param_value argument, else null. */
    public ArgSpec infoValue() {
        return infoValue;
    }

    /** For info queries: which param_name values carry handles, and how. */
    public InfoValue infoHandles(int paramName) {
        return infoHandles.get(paramName);
    }

    @Override
    public String toString() {
        return name + args;
    }
}
