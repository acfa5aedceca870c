package org.flows4j.cli.snf;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code flows4j snf ...}: stochastic normalizing flows (Wu, Koehler and Noe 2020). */
@Command(name = "snf", mixinStandardHelpOptions = true,
        description = "Stochastic normalizing flows and Boltzmann generators (Wu, Koehler and Noe, NeurIPS 2020).",
        subcommands = {DoubleWellCommand.class, ImageCommand.class, CommandLine.HelpCommand.class})
public final class SnfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try: flows4j snf doublewell, flows4j snf image)");
    }
}
