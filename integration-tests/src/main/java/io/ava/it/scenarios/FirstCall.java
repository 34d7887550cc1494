package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import org.jocl.CL;
import org.jocl.CLException;

/**
 * The smallest program: one clGetPlatformIDs with exceptions enabled. Exits 0 when it works and 3 when the call
 * throws a CLException (what must happen under the agent when the server cannot be reached).
 */
public class FirstCall {

    public static void main(String[] args) {
        CL.setExceptionsEnabled(true);
        int[] n = new int[1];
        try {
            clGetPlatformIDs(0, null, n);
        } catch (CLException e) {
            out("first call threw CLException: " + stringFor_errorCode(e.getStatus()));
            System.exit(3);
        }
        out("platforms: " + n[0]);
        check("at least one platform", n[0] > 0);
        finish("FirstCall");
    }
}
