package io.kodiak.k8s.injection;

/**
 * A Pod the injector will not admit as it is: one of its Kuma annotations is malformed, and
 * injecting anyway would leave it stuck in its init container. The message names the annotation and
 * the value.
 */
public final class InjectionRefusedException extends RuntimeException {
  public InjectionRefusedException(String message) {
    super(message);
  }
}
