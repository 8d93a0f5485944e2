package io.kodiak.k8s.testing;

/** Kuma's Kubernetes YAML for the objects tests apply most, as a Kuma user would write it. */
public final class KumaYaml {
  private KumaYaml() {}

  /** A mesh-wide MeshTimeout in {@code namespace} whose {@code to[0].default} is {@code body}. */
  public static String meshTimeout(String name, String namespace, String defaults) {
    return """
        apiVersion: kuma.io/v1alpha1
        kind: MeshTimeout
        metadata:
          name: %s
          namespace: %s
          labels:
            kuma.io/mesh: default
        spec:
          targetRef:
            kind: Mesh
          to:
            - targetRef:
                kind: Mesh
              default:
        %s"""
        .formatted(name, namespace, defaults.indent(8));
  }

  /** A Mesh with mTLS on, its enabled backend {@code ca-1} a builtin CA. */
  public static String meshWithBuiltinCa(String name) {
    return """
        apiVersion: kuma.io/v1alpha1
        kind: Mesh
        metadata:
          name: %s
        spec:
          mtls:
            enabledBackend: ca-1
            backends:
              - name: ca-1
                type: builtin
        """
        .formatted(name);
  }
}
