package io.ava.bench;

import io.ava.bench.migration.MigrationCommand;
import io.ava.bench.overhead.OverheadCommand;
import io.ava.bench.run.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code java -jar ava-bench.jar <subcommand>}: the ava benchmarks. */
@Command(
    name = "ava-bench",
    mixinStandardHelpOptions = true,
    version = "ava-bench 0.1.0",
    description = "ava benchmarks. Run a subcommand with --help for its options.",
    subcommands = {
      OverheadCommand.class, MigrationCommand.class, RunCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BenchMain implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
