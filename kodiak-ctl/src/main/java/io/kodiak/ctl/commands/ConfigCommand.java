package io.kodiak.ctl.commands;

import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.contexts.ContextsFile;
import io.kodiak.ctl.contexts.ContextsFile.ControlPlaneEntry;
import io.kodiak.ctl.output.Table;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kodiakctl config control-planes add|list|switch|remove}. */
@Command(
    name = "config",
    description = "Manage the CLI's configuration.",
    subcommands = {ConfigCommand.ControlPlanes.class})
public final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The control planes (contexts) the CLI knows. */
  @Command(
      name = "control-planes",
      description = "Manage known control planes.",
      subcommands = {Add.class, ListCommand.class, Switch.class, Remove.class})
  public static final class ControlPlanes implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(name = "add", description = "Add a control plane and make it current.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--name", required = true)
    String name;

    @Option(
        names = "--address",
        required = true,
        description = "API URL, e.g. http://localhost:5681")
    String address;

    @Option(names = "--auth-token", description = "Admin token.")
    String token;

    @Option(names = "--auth-token-file", description = "File holding the admin token.")
    String tokenFile;

    @Option(names = "--overwrite", description = "Replace an existing entry of that name.")
    boolean overwrite;

    @Option(names = "--skip-verify", description = "Do not check that the address answers.")
    boolean skipVerify;

    @Override
    public Integer call() {
      if (!address.startsWith("http://") && !address.startsWith("https://")) {
        throw new IllegalArgumentException(
            "--address must start with http:// or https://, got \"" + address + "\"");
      }
      ControlPlaneEntry entry =
          new ControlPlaneEntry(
              name, address, Optional.ofNullable(token), Optional.ofNullable(tokenFile));
      if (!skipVerify) {
        new ApiClient(address, entry.resolveToken()).get("/");
      }
      Session.of(spec).contexts.add(entry, overwrite);
      spec.commandLine()
          .getOut()
          .println("added control plane \"" + name + "\" (" + address + ") and switched to it");
      return 0;
    }
  }

  @Command(name = "list", description = "List known control planes.")
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ContextsFile contexts = Session.of(spec).contexts;
      Table table = new Table("ACTIVE", "NAME", "ADDRESS");
      for (ControlPlaneEntry cp : contexts.controlPlanes()) {
        table.row(cp.name().equals(contexts.currentContext()) ? "*" : "", cp.name(), cp.address());
      }
      table.print(spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "switch", description = "Make another control plane current.")
  static final class Switch implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--name", required = true)
    String name;

    @Override
    public Integer call() {
      Session.of(spec).contexts.switchTo(name);
      spec.commandLine().getOut().println("switched to control plane \"" + name + "\"");
      return 0;
    }
  }

  @Command(name = "remove", description = "Forget a control plane.")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--name", required = true)
    String name;

    @Override
    public Integer call() {
      Session.of(spec).contexts.remove(name);
      spec.commandLine().getOut().println("removed control plane \"" + name + "\"");
      return 0;
    }
  }
}
