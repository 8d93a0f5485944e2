package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ctl.KodiakCtl;
import io.kodiak.ctl.client.ApiFailure;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kodiakctl version}: the client's version and, when reachable, the control plane's. */
@Command(name = "version", description = "Print the client and control-plane versions.")
public final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.println("Client: Kodiak " + KodiakCtl.VERSION);
    try {
      JsonNode index = Session.of(spec).client().get("/");
      out.println(
          "Control plane: "
              + index.path("product").asText("?")
              + " "
              + index.path("version").asText("?")
              + " (based on Kuma "
              + index.path("basedOnKuma").asText("?")
              + ") at "
              + index.path("hostname").asText("?"));
      return 0;
    } catch (ApiFailure e) {
      out.println("Control plane: unreachable (" + e.getMessage() + ")");
      return 1;
    }
  }

  /** Supplies {@code --version} for the root command. */
  public static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kodiakctl " + KodiakCtl.VERSION};
    }
  }
}
