package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kodiakctl generate dataplane-token}. */
@Command(
    name = "generate",
    description = "Generate credentials.",
    subcommands = {GenerateCommand.DataplaneToken.class})
public final class GenerateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "dataplane-token",
      description = "A token that lets one proxy (by name and tags) join a mesh.")
  static final class DataplaneToken implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--name", description = "The Dataplane the token is for (empty: any name).")
    String name = "";

    @Option(names = "--tag", description = "A tag the proxy must carry, key=value; repeatable.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--valid-for", defaultValue = "24h", description = "Lifetime, e.g. 24h or 30d.")
    String validFor;

    @Override
    public Integer call() {
      Session session = Session.of(spec);
      ObjectNode body = new ObjectMapper().createObjectNode();
      body.put("name", name).put("mesh", session.root.mesh()).put("validFor", validFor);
      ObjectNode tagsNode = body.putObject("tags");
      for (String tag : tags) {
        int eq = tag.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--tag must be key=value, got \"" + tag + "\"");
        }
        tagsNode.withArrayProperty(tag.substring(0, eq)).add(tag.substring(eq + 1));
      }
      spec.commandLine().getOut().println(session.client().postForText("/tokens/dataplane", body));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
