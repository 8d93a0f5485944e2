package io.kodiak.cp.kubernetes;

import io.kodiak.cp.tokens.DataplaneTokens.Refused;
import io.kodiak.cp.tokens.DataplaneTokens.Verification;
import io.kodiak.cp.tokens.DataplaneTokens.Verified;
import io.kodiak.cp.tokens.ProxyCredentials;
import io.kodiak.k8s.identity.PodTokenReviews;
import io.kodiak.model.codec.Documents;

/**
 * A sidecar's credential on Kubernetes ({@code dpServer.auth: serviceAccountToken}): its Pod's
 * service-account token, which admits exactly that Pod's Dataplane ({@code pod.namespace}, as the
 * Pod controller names it), so one Pod's token never obtains another's config or certificate.
 * Thread-safe.
 */
public final class PodServiceAccountTokens implements ProxyCredentials {
  private final PodTokenReviews reviews;

  public PodServiceAccountTokens(PodTokenReviews reviews) {
    this.reviews = reviews;
  }

  @Override
  public Verification verify(String token, String mesh) {
    if (token == null || token.isBlank()) {
      return new Refused(
          "no service-account token: the sidecar passes its Pod's token with"
              + " --dataplane-token-file /var/run/secrets/kubernetes.io/serviceaccount/token");
    }
    PodTokenReviews.Review review = reviews.review(token.trim());
    if (review instanceof PodTokenReviews.PodIdentity pod) {
      return new Verified(
          Documents.JSON.createObjectNode().put("Name", pod.pod() + "." + pod.namespace()));
    }
    return new Refused(((PodTokenReviews.Refused) review).reason());
  }
}
