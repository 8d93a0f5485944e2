package io.kodiak.e2e.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that breaks an {@link Invariant} on purpose (a deliberate NACK, an expected ERROR line, a
 * control plane under attack or killed mid-change): {@link MeshInvariants} does not check the named
 * invariants after it, and still checks the others. Exempt only what the test itself really breaks,
 * and say why in {@link #reason}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface InvariantsExempt {
  /** The invariants this test breaks. */
  Invariant[] value();

  /** Why breaking them is what the test is about (required, not blank). */
  String reason();
}
