package io.kodiak.policy.meshloadbalancingstrategy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;
import java.util.List;

/**
 * A MeshLoadBalancingStrategy {@code default} block; every component is null when not set.
 * Enumerations stay text (the schema checks their values). Locality awareness is decoded (a policy
 * may set it) though a single-zone Universal mesh has nothing for it to choose between.
 */
record MeshLoadBalancingStrategyConf(
    LocalityAwareness localityAwareness, LoadBalancer loadBalancer, List<HashPolicy> hashPolicies) {
  MeshLoadBalancingStrategyConf {
    hashPolicies = hashPolicies == null ? null : List.copyOf(hashPolicies);
  }

  /**
   * {@code type} is RoundRobin, LeastRequest, RingHash, Random or Maglev; only its own block may be
   * set.
   */
  record LoadBalancer(
      String type,
      NoSettings roundRobin,
      LeastRequest leastRequest,
      RingHash ringHash,
      NoSettings random,
      Maglev maglev) {}

  /**
   * The round-robin and random blocks: they configure nothing, and the schema leaves their content
   * open.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record NoSettings() {}

  /** {@code activeRequestBias} is Kuma's int-or-string decimal. */
  record LeastRequest(Integer choiceCount, String activeRequestBias) {}

  /** {@code hashFunction} is XXHash (when null) or MurmurHash2. */
  record RingHash(
      String hashFunction,
      Integer minRingSize,
      Integer maxRingSize,
      List<HashPolicy> hashPolicies) {
    RingHash {
      hashPolicies = hashPolicies == null ? null : List.copyOf(hashPolicies);
    }
  }

  record Maglev(Integer tableSize, List<HashPolicy> hashPolicies) {
    Maglev {
      hashPolicies = hashPolicies == null ? null : List.copyOf(hashPolicies);
    }
  }

  /** {@code type} is Header, Cookie, Connection, SourceIP, QueryParameter or FilterState. */
  record HashPolicy(
      String type,
      Boolean terminal,
      Named header,
      Cookie cookie,
      Connection connection,
      Named queryParameter,
      FilterState filterState) {}

  record Named(String name) {}

  record Cookie(String name, Duration ttl, String path) {}

  record Connection(Boolean sourceIP) {}

  record FilterState(String key) {}

  record LocalityAwareness(Boolean disabled, LocalZone localZone, CrossZone crossZone) {}

  record LocalZone(List<AffinityTag> affinityTags) {
    LocalZone {
      affinityTags = affinityTags == null ? null : List.copyOf(affinityTags);
    }
  }

  record AffinityTag(String key, Integer weight) {}

  record CrossZone(List<Failover> failover, FailoverThreshold failoverThreshold) {
    CrossZone {
      failover = failover == null ? null : List.copyOf(failover);
    }
  }

  record Failover(Zones from, FailoverTo to) {}

  record Zones(List<String> zones) {
    Zones {
      zones = zones == null ? null : List.copyOf(zones);
    }
  }

  /** {@code type} is None, Only, Any or AnyExcept. */
  record FailoverTo(String type, List<String> zones) {
    FailoverTo {
      zones = zones == null ? null : List.copyOf(zones);
    }
  }

  /** {@code percentage} is Kuma's int-or-string decimal. */
  record FailoverThreshold(String percentage) {}
}
