package io.ava.server.cli;

import io.ava.spec.FunctionSpec;
import io.ava.spec.Spec;
import io.ava.spec.SpecCoverage;
import org.jocl.CL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "spec", mixinStandardHelpOptions = true,
        description = "Show the OpenCL spec this server was built with: coverage of JOCL's natives, or every function.")
public final class SpecCommand implements Callable<Integer> {
    @Option(names = "--coverage", description = "count the natives remoted, refused (with reasons) and not described")
    boolean coverage;

    @Option(names = "--list", description = "list every function with its number and annotations")
    boolean list;

    @Override
    public Integer call() {
        Spec spec = Spec.bundled();
        if (list) {
            for (FunctionSpec f : spec.functions()) {
                System.out.printf("%3d %-36s %s%n", f.index(), f.name(), f.isSupported()
                        ? (f.allocates() != null ? "creates " + f.allocates() : "") + (f.async().possible() ? " async" : "")
                        + (f.record() ? " record" : "") : "refused: " + f.unsupported());
            }
        }
        if (coverage || !list) {
            List<String> natives = new ArrayList<>();
            // the class's methods only: CL's static initializer (which loads OpenCL) does not run
            for (Method m : CL.class.getDeclaredMethods()) {
                if (Modifier.isNative(m.getModifiers())) {
                    natives.add(m.getName());
                }
            }
            System.out.print(SpecCoverage.of(spec, natives).report());
            System.out.println("spec sha-256: " + spec.digest());
        }
        return 0;
    }
}
