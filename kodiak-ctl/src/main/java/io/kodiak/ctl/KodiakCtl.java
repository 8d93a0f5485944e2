package io.kodiak.ctl;

import io.kodiak.ctl.client.ApiFailure;
import io.kodiak.ctl.commands.ApplyCommand;
import io.kodiak.ctl.commands.ConfigCommand;
import io.kodiak.ctl.commands.DeleteCommand;
import io.kodiak.ctl.commands.ExportCommand;
import io.kodiak.ctl.commands.GenerateCommand;
import io.kodiak.ctl.commands.GetCommand;
import io.kodiak.ctl.commands.InspectCommand;
import io.kodiak.ctl.commands.InstallCommand;
import io.kodiak.ctl.commands.UninstallCommand;
import io.kodiak.ctl.commands.VersionCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kodiakctl} command: a client of the REST API only, but for {@code install}, which
 * prints Kubernetes manifests or (with {@code uninstall}) sets up a Pod's transparent proxying.
 */
@Command(
    name = "kodiakctl",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = VersionCommand.Provider.class,
    description = "Command-line client of the Kodiak control plane (kumactl's verbs).",
    subcommands = {
      ApplyCommand.class,
      GetCommand.class,
      ExportCommand.class,
      DeleteCommand.class,
      InspectCommand.class,
      GenerateCommand.class,
      ConfigCommand.class,
      InstallCommand.class,
      UninstallCommand.class,
      VersionCommand.class
    })
public final class KodiakCtl implements Runnable {
  public static final String VERSION = "0.1.0";

  @Option(
      names = "--config-file",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Contexts file (default: ~/.kodiak/config).")
  Path configFile = Path.of(System.getProperty("user.home"), ".kodiak", "config");

  @Option(
      names = {"-m", "--mesh"},
      scope = CommandLine.ScopeType.INHERIT,
      defaultValue = "default",
      description = "Mesh of mesh-scoped resources (default: ${DEFAULT-VALUE}).")
  String mesh = "default";

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code; every failure gives a non-zero code and a message. */
  public static int execute(String... args) {
    return execute(null, null, args);
  }

  /**
   * Runs the CLI writing to the given streams (the process's own when null); for tests and
   * embedding.
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new KodiakCtl());
    if (out != null) {
      cli.setOut(out);
    }
    if (err != null) {
      cli.setErr(err);
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof ApiFailure failure) {
            commandLine.getErr().println("Error: " + failure.getMessage());
            failure.invalidParameters().forEach(p -> commandLine.getErr().println("  * " + p));
          } else if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            commandLine.getErr().println("Error: " + e.getMessage());
          } else {
            commandLine.getErr().println("Error: " + e);
          }
          commandLine.getErr().flush();
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public Path configFile() {
    return configFile;
  }

  public String mesh() {
    return mesh;
  }
}
