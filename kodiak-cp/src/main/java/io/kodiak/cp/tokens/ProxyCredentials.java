package io.kodiak.cp.tokens;

import io.kodiak.cp.tokens.DataplaneTokens.Verification;

/**
 * How a proxy proves who it is: a dataplane token on Universal, its Pod's service-account token on
 * Kubernetes. {@link #verify} checks what needs no Dataplane; the {@link DataplaneTokens.Verified}
 * it returns says which proxy the credential admits. Implementations are thread-safe.
 */
public interface ProxyCredentials {
  /** Checks {@code token}, presented for a proxy of {@code mesh}; never echoes the token. */
  Verification verify(String token, String mesh);
}
