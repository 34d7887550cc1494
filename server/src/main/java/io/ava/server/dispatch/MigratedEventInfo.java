package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.Value;
import io.ava.server.handles.HandleTable;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Info queries on events that came with a migrated session. The target rebuilt them as completed
 * user events, so the driver would report CL_COMMAND_USER, no queue and no profiling; the facts
 * the source read are answered instead. Other queries (status, reference count) go to the driver.
 */
final class MigratedEventInfo {
    private static final int CL_EVENT_COMMAND_QUEUE = 0x11D0;
    private static final int CL_EVENT_COMMAND_TYPE = 0x11D1;
    private static final int CL_EVENT_CONTEXT = 0x11D4;
    private static final int CL_PROFILING_COMMAND_QUEUED = 0x1280;
    private static final int CL_PROFILING_COMMAND_COMPLETE = 0x1284;
    private static final int CL_PROFILING_INFO_NOT_AVAILABLE = -7;

    private MigratedEventInfo() {
    }

    /** The answer for a migrated event's info query, or null when the driver answers it. */
    static Dispatcher.Outcome answer(FunctionSpec f, Call call, HandleTable table) {
        boolean eventInfo = f.name().equals("clGetEventInfo");
        if (!eventInfo && !f.name().equals("clGetEventProfilingInfo")) {
            return null;
        }
        HandleTable.EventFacts facts = table.eventFacts(call.getScalars(f.slot(0)));
        if (facts == null) {
            return null;
        }
        int param = (int) call.getScalars(f.slot(1));
        long size = call.getScalars(f.slot(2));
        Value valueArg = call.getArgs(f.slot(3));
        Value sizeRet = call.getArgs(f.slot(4));
        Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId());
        Value answer;
        long answerSize;
        if (eventInfo) {
            switch (param) {
                case CL_EVENT_COMMAND_TYPE:
                    answer = bytes(4, facts.commandType());
                    answerSize = 4;
                    break;
                case CL_EVENT_COMMAND_QUEUE:
                    answer = ref(facts.queue(), HandleType.cl_command_queue);
                    answerSize = 8;
                    break;
                case CL_EVENT_CONTEXT:
                    answer = ref(facts.context(), HandleType.cl_context);
                    answerSize = 8;
                    break;
                default:
                    return null;
            }
        } else {
            if (param < CL_PROFILING_COMMAND_QUEUED || param > CL_PROFILING_COMMAND_COMPLETE) {
                // an unknown parameter on a profiled event: the driver's answer on the source (the stand-in user
                // event here has no profiling and would answer CL_PROFILING_INFO_NOT_AVAILABLE)
                return facts.profiling() == null ? null : Dispatcher.Outcome.answered(reply.setResult(Dispatcher.CL_INVALID_VALUE));
            }
            long[] p = facts.profiling();
            if (p == null || p.length <= param - CL_PROFILING_COMMAND_QUEUED) {
                return Dispatcher.Outcome.answered(reply.setResult(CL_PROFILING_INFO_NOT_AVAILABLE));
            }
            answer = bytes(8, p[param - CL_PROFILING_COMMAND_QUEUED]);
            answerSize = 8;
        }
        if (!valueArg.getIsNull()) {
            if (size < answerSize) {
                return Dispatcher.Outcome.answered(reply.setResult(Dispatcher.CL_INVALID_VALUE));
            }
            ReplyOutputs.put(reply, 3, answer);
        }
        if (!sizeRet.getIsNull()) {
            ReplyOutputs.put(reply, 4, Value.newBuilder().setScalar(answerSize).build());
        }
        return Dispatcher.Outcome.answered(reply.setResult(Dispatcher.CL_SUCCESS));
    }


    private static Value bytes(int width, long v) {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.nativeOrder());
        if (width == 4) {
            b.putInt((int) v);
        } else {
            b.putLong(v);
        }
        return Value.newBuilder().setData(ByteString.copyFrom(b.array())).build();
    }

    private static Value ref(long id, HandleType type) {
        return Value.newBuilder().setRefs(HandleRefs.newBuilder().addIds(id).addTypes(type.ordinal())).build();
    }
}
