package io.kodiak.cp.api;

import io.kodiak.cp.dpserver.DataplaneLifecycle;
import io.kodiak.cp.insights.ClusterInsights;
import io.kodiak.cp.tokens.DataplaneTokens;
import io.kodiak.xds.sync.SnapshotSync;

/**
 * What the inspect and token endpoints use: generated config, insights, who is connected, tokens.
 */
public record Inspection(
    SnapshotSync sync,
    ClusterInsights insights,
    DataplaneLifecycle lifecycle,
    DataplaneTokens tokens) {}
