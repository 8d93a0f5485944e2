package io.kodiak.ctl.install;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Kubernetes manifests of {@code kodiakctl install control-plane}: the namespace, Kuma's CRDs,
 * the control plane's RBAC, TLS Secret, Deployment and Service, and the admission webhooks, in the
 * order {@code kubectl apply} needs them. Each call issues a fresh CA and certificate, so the
 * output is meant to be applied as one, not mixed with an earlier run's. Stateless; thread-safe.
 */
public final class ControlPlaneManifests {
  /** The name of the Deployment, Service, ServiceAccount and roles. */
  public static final String NAME = "kodiak-control-plane";

  /** A DNS-1123 label, what Kubernetes allows as a namespace name. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private ControlPlaneManifests() {}

  /** Whether the output carries the CRDs (a cluster where they are managed separately: omit). */
  public enum Crds {
    INCLUDED,
    OMITTED
  }

  /**
   * What an install may choose.
   *
   * @throws IllegalArgumentException naming the option that is wrong and what it must be
   */
  public record Options(String namespace, String image, int replicas, Crds crds) {
    public Options {
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            "--namespace must be a Kubernetes namespace name (lower-case letters, digits and '-',"
                + " at most 63), not \""
                + namespace
                + "\"");
      }
      if (image.isBlank()) {
        throw new IllegalArgumentException("--image must name the control plane's image");
      }
      if (replicas < 1) {
        throw new IllegalArgumentException("--replicas must be at least 1, not " + replicas);
      }
    }
  }

  /** Every object to apply, in order. */
  public static List<ObjectNode> objects(Options options) {
    ServingCertificate tls = ServingCertificate.issue(options.namespace(), Instant.now());
    List<ObjectNode> out = new ArrayList<>();
    out.add(namespace(options.namespace()));
    if (options.crds() == Crds.INCLUDED) {
      out.addAll(CustomResourceDefinitions.all());
    }
    out.addAll(Rbac.objects(options.namespace()));
    out.add(tls.secret(options.namespace()));
    out.add(Workload.service(options.namespace()));
    out.add(Workload.deployment(options, tls));
    // last: a webhook registered before its server exists would refuse what follows it
    out.addAll(Webhooks.configurations(options.namespace(), tls));
    return out;
  }

  /** The objects as one YAML stream, for {@code kubectl apply -f -}. */
  public static String yaml(Options options) {
    StringBuilder out = new StringBuilder();
    for (ObjectNode object : objects(options)) {
      out.append("---\n").append(Documents.toYaml(object));
    }
    return out.toString();
  }

  /** Labelled so that the control plane's own pods never get a sidecar. */
  private static ObjectNode namespace(String name) {
    ObjectNode namespace = KubeObjects.clusterScoped("v1", "Namespace", name);
    ((ObjectNode) namespace.path("metadata").path("labels"))
        .put(Webhooks.INJECTION_LABEL, "disabled");
    return namespace;
  }
}
