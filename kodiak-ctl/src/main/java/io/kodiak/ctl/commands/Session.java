package io.kodiak.ctl.commands;

import io.kodiak.ctl.KodiakCtl;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ResourceTypes;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import io.kodiak.ctl.contexts.ContextsFile;
import io.kodiak.ctl.contexts.ContextsFile.ControlPlaneEntry;
import picocli.CommandLine.Model.CommandSpec;

/** What a command needs to talk to the current control plane. */
final class Session {
  final KodiakCtl root;
  final ContextsFile contexts;

  private Session(KodiakCtl root) {
    this.root = root;
    this.contexts = ContextsFile.loadOrCreate(root.configFile());
  }

  static Session of(CommandSpec spec) {
    return new Session((KodiakCtl) spec.root().userObject());
  }

  ApiClient client() {
    ControlPlaneEntry cp =
        contexts
            .current()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no current control plane; add one with 'kodiakctl config control-planes add --name NAME --address URL'"));
    return new ApiClient(cp.address(), cp.resolveToken());
  }

  static TypeInfo type(ResourceTypes types, String word) {
    return types
        .find(word)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown resource type \"" + word + "\"; known types: " + types.describe()));
  }
}
