package io.kodiak.ctl.commands;

import io.kodiak.ctl.KodiakCtl;
import io.kodiak.ctl.install.ControlPlaneManifests;
import io.kodiak.ctl.tproxy.TransparentProxyCommand;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl install crds} and {@code kodiakctl install control-plane}: Kubernetes manifests
 * on stdout, for {@code kubectl apply -f -}. They talk to no control plane and no cluster. {@code
 * install transparent-proxy} is the odd one: it changes this machine's nat table (in a Pod's init
 * container).
 */
@Command(
    name = "install",
    description = {
      "Print Kubernetes manifests (pipe them to 'kubectl apply -f -'),",
      "or redirect this Pod's traffic to its sidecar (transparent-proxy)."
    },
    subcommands = {
      InstallCommand.Crds.class,
      InstallCommand.ControlPlane.class,
      TransparentProxyCommand.Install.class
    })
public final class InstallCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static Integer print(CommandSpec spec, String yaml) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(yaml);
    out.flush();
    return 0;
  }

  @Command(name = "crds", description = "Kuma's custom resource definitions (kuma.io/v1alpha1).")
  static final class Crds implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return print(spec, CustomResourceDefinitions.yaml());
    }
  }

  @Command(
      name = "control-plane",
      description = {
        "The control plane in Kubernetes mode: namespace, CRDs, RBAC, a TLS Secret with a fresh CA,"
            + " Deployment, Service and admission webhooks.",
        "Each run makes a new CA: apply one run's output whole."
      })
  static final class ControlPlane implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--namespace",
        defaultValue = "kodiak-system",
        description = "The control plane's namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
        names = "--image",
        description = "The control plane's image (default: kodiak/kodiak-cp:<this version>).")
    String image = "kodiak/kodiak-cp:" + KodiakCtl.VERSION;

    @Option(
        names = "--replicas",
        defaultValue = "1",
        description = "Control-plane replicas (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(
        names = "--without-crds",
        description = "Leave the CRDs out (install them with 'kodiakctl install crds').")
    boolean withoutCrds;

    @Override
    public Integer call() {
      var crds =
          withoutCrds ? ControlPlaneManifests.Crds.OMITTED : ControlPlaneManifests.Crds.INCLUDED;
      return print(
          spec,
          ControlPlaneManifests.yaml(
              new ControlPlaneManifests.Options(namespace, image, replicas, crds)));
    }
  }
}
