package io.kodiak.k8s.injection;

/**
 * What an injected sidecar needs to find and trust the control plane.
 *
 * @param image the kodiak-dp image
 * @param controlPlaneAddress the dp-server URL Pods reach (the control plane's Service)
 * @param caCertificatePem the CA the dp-server's certificate chains to
 */
public record SidecarSettings(String image, String controlPlaneAddress, String caCertificatePem) {}
