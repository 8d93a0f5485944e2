package io.kodiak.cp.api;

import io.kodiak.cp.dpserver.DataplaneLifecycle;
import io.kodiak.cp.insights.DataplaneInsights;
import io.kodiak.cp.tokens.DataplaneTokens;
import io.kodiak.xds.sync.SnapshotSync;

/**
 * What the inspect and token endpoints use: generated config, insights, who is connected, tokens.
 */
public record Inspection(
    SnapshotSync sync,
    DataplaneInsights insights,
    DataplaneLifecycle lifecycle,
    DataplaneTokens tokens) {}
