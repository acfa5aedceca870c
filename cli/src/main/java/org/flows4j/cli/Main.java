package org.flows4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The flows4j command-line tool. */
@Command(name = "flows4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Normalizing flows on the JVM.",
        subcommands = {MoonsCommand.class, FitCommand.class, SampleCommand.class, DensityCommand.class,
            ImportTorchCommand.class, org.flows4j.cli.snf.SnfCommand.class, org.flows4j.cli.sbi.SbiCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input: unknown flags, bad values, unreadable models or data, unwritable outputs. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for failures that are not the user's input (a diverged training, an internal error). */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try: flows4j moons, or flows4j help)");
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            err.println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            String name = c.getCommandSpec().qualifiedName();
            if (ex instanceof UserError || ex instanceof IllegalArgumentException
                    || ex instanceof org.flows4j.io.ModelFormatException || ex instanceof org.flows4j.io.DataFileException) {
                err.println(name + ": " + oneLine(ex.getMessage()));
                return EXIT_USAGE;
            }
            if (System.getenv("FLOWS4J_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.println(name + ": " + oneLine(ex.getClass().getSimpleName() + ": " + ex.getMessage()));
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").trim();
    }

    /** Version from the jar manifest when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"flows4j " + (v == null ? "dev" : v)};
        }
    }
}
