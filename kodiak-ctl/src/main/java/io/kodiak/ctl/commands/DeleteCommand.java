package io.kodiak.ctl.commands;

import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ResourceTypes;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kodiakctl delete <type> NAME}. Deleting a mesh deletes everything in it. */
@Command(name = "delete", description = "Delete a resource: delete <type> NAME.")
public final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Resource type, e.g. mesh, meshtimeout.")
  String typeWord;

  @Parameters(index = "1", description = "Name of the resource.")
  String name;

  @Override
  public Integer call() {
    Session session = Session.of(spec);
    ApiClient client = session.client();
    TypeInfo type = Session.type(ResourceTypes.fetch(client), typeWord);
    String mesh = session.root.mesh();
    client.delete(type.itemPath(mesh, name));
    spec.commandLine()
        .getOut()
        .println(
            "deleted "
                + type.name()
                + " \""
                + name
                + "\""
                + (type.meshScoped() ? " in mesh \"" + mesh + "\"" : ""));
    return 0;
  }
}
