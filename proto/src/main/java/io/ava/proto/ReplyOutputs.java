package io.ava.proto;

import java.util.List;

/**
 * A reply's output arguments by argument index, with the map semantics that {@code map<uint32, Value>}
 * had: at most one value per index, a later put replacing an earlier one. A reply has a handful of
 * outputs, so a scan is as fast as a map.
 */
public final class ReplyOutputs {
    private ReplyOutputs() {
    }

    /** The output for argument {@code slot}, or null. */
    public static Value get(Reply reply, int slot) {
        return find(reply.getOutputsList(), slot);
    }

    /** The output for argument {@code slot} set so far, or null. */
    public static Value get(Reply.Builder reply, int slot) {
        return find(reply.getOutputsList(), slot);
    }

    /** Sets the output for argument {@code slot}, replacing one set before. */
    public static void put(Reply.Builder reply, int slot, Value value) {
        List<Output> outputs = reply.getOutputsList();
        for (int i = outputs.size() - 1; i >= 0; i--) {
            if (outputs.get(i).getSlot() == slot) {
                reply.setOutputs(i, Output.newBuilder().setSlot(slot).setValue(value));
                return;
            }
        }
        reply.addOutputs(Output.newBuilder().setSlot(slot).setValue(value));
    }

    private static Value find(List<Output> outputs, int slot) {
        // from the end: a parsed map keeps the last entry of a repeated key
        for (int i = outputs.size() - 1; i >= 0; i--) {
            if (outputs.get(i).getSlot() == slot) {
                return outputs.get(i).getValue();
            }
        }
        return null;
    }
}
