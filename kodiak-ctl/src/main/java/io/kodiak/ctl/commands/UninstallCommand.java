package io.kodiak.ctl.commands;

import io.kodiak.ctl.tproxy.TransparentProxyCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl uninstall ...}: undoes what an {@code install} subcommand changed on this host.
 */
@Command(
    name = "uninstall",
    description = "Undo an install that changed this machine (transparent-proxy).",
    subcommands = {TransparentProxyCommand.Uninstall.class})
public final class UninstallCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
