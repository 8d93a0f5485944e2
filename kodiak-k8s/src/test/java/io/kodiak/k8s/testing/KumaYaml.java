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

  /** A Mesh with mutual TLS from a builtin CA named {@code ca-1}. */
  public static String meshWithBuiltinMtls(String name) {
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

  /**
   * A MeshTrafficPermission {@code name} in the system namespace for every proxy of mesh default:
   * callers of MeshService {@code caller} get {@code action} (Allow, Deny).
   */
  public static String permissionFrom(String name, String caller, String action) {
    return """
        apiVersion: kuma.io/v1alpha1
        kind: MeshTrafficPermission
        metadata:
          name: %s
          namespace: kodiak-system
          labels:
            kuma.io/mesh: default
        spec:
          targetRef:
            kind: Mesh
          from:
            - targetRef:
                kind: MeshService
                name: %s
              default:
                action: %s
        """
        .formatted(name, caller, action);
  }
}
