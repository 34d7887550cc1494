package io.ava.server.dispatch;

/**
 * clCreateProgramWithBinary: the driver reads {@code lengths[k]} bytes from {@code binaries[k]} for each of
 * {@code num_devices} devices. Fewer binaries than devices, or a length past its binary's end, would make it
 * read memory that is not there; the spec's answer is CL_INVALID_VALUE.
 */
final class BinaryChecks {
    private BinaryChecks() {
    }

    static void check(Object binariesArg, Object lengthsArg, long numDevices) throws ClError {
        if (!(binariesArg instanceof byte[][] binaries) || numDevices < 0 || binaries.length < numDevices) {
            throw new ClError(Dispatcher.CL_INVALID_VALUE, "binaries: " + (binariesArg instanceof byte[][] b ? b.length : 0)
                    + " binaries for " + numDevices + " devices");
        }
        if (!(lengthsArg instanceof long[] lengths) || lengths.length < numDevices) {
            throw new ClError(Dispatcher.CL_INVALID_VALUE, "lengths: no length for each of " + numDevices + " binaries");
        }
        for (int k = 0; k < numDevices; k++) {
            if (lengths[k] <= 0 || lengths[k] > binaries[k].length) {
                throw new ClError(Dispatcher.CL_INVALID_VALUE, "binaries[" + k + "]: length " + lengths[k]
                        + ", the binary holds " + binaries[k].length + " bytes");
            }
        }
    }
}
