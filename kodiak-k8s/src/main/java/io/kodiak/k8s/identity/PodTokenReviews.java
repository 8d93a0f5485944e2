package io.kodiak.k8s.identity;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Pod a service-account token belongs to, as the API server says (TokenReview). Only a token
 * bound to a Pod (the projected token a kubelet mounts) names one; the API server also checks the
 * Pod still exists with the uid the token was issued for, so a deleted Pod's token is worthless. A
 * legacy or unbound token names no Pod and is refused. Answers are kept for {@link #REMEMBERED}
 * (keyed by the token's hash, never the token), so a proxy's reconnects and rechecks cost no round
 * trip. Thread-safe.
 */
public final class PodTokenReviews {
  static final Duration REMEMBERED = Duration.ofSeconds(10);
  private static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  private static final String POD_UID = "authentication.kubernetes.io/pod-uid";
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
  private static final int MAX_REMEMBERED = 10_000;

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Remembered> answers = new ConcurrentHashMap<>();

  private record Remembered(Review review, Instant until) {}

  /** What a review found. */
  public sealed interface Review permits PodIdentity, Refused {}

  /** The token is genuine, current and bound to this Pod. */
  public record PodIdentity(String namespace, String pod, String uid, String serviceAccount)
      implements Review {}

  /** Why the token proves no Pod; never contains the token. */
  public record Refused(String reason) implements Review {}

  public PodTokenReviews(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public Review review(String token) {
    String key = sha256(token);
    Instant now = clock.instant();
    Remembered remembered = answers.get(key);
    if (remembered != null && now.isBefore(remembered.until())) {
      return remembered.review();
    }
    Review review;
    try {
      review = ask(token);
    } catch (KubernetesClientException e) {
      // not remembered: the API server may answer the next attempt
      return new Refused(
          "the Kubernetes API server could not review the service-account token (HTTP "
              + e.getCode()
              + "); the agent retries");
    }
    if (answers.size() >= MAX_REMEMBERED) {
      answers.values().removeIf(r -> !now.isBefore(r.until()));
      if (answers.size() >= MAX_REMEMBERED) {
        answers.clear(); // a flood of distinct tokens: forget rather than grow
      }
    }
    answers.put(key, new Remembered(review, now.plus(REMEMBERED)));
    return review;
  }

  private Review ask(String token) {
    TokenReview answer =
        client
            .resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
            .create();
    TokenReviewStatus status = answer.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      return new Refused(
          "the service-account token is not valid (the Kubernetes API server does not accept"
              + " it: expired, revoked, or its Pod is gone)");
    }
    String user = status.getUser().getUsername();
    if (user == null || !user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      return new Refused("the token is not a service account's");
    }
    String[] parts = user.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
    Map<String, List<String>> extra = status.getUser().getExtra();
    List<String> pod = extra == null ? null : extra.get(POD_NAME);
    List<String> uid = extra == null ? null : extra.get(POD_UID);
    if (parts.length != 2 || pod == null || pod.size() != 1 || uid == null || uid.size() != 1) {
      return new Refused(
          "the service-account token is not bound to a Pod: pass the Pod's own projected token"
              + " (/var/run/secrets/kubernetes.io/serviceaccount/token)");
    }
    return new PodIdentity(parts[0], pod.get(0), uid.get(0), parts[1]);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
