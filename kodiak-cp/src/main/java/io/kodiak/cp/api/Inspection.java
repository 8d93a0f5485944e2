package io.kodiak.cp.api;

import io.kodiak.cp.dpserver.DataplaneLifecycle;
import io.kodiak.cp.insights.DataplaneInsights;
import io.kodiak.xds.sync.SnapshotSync;

/** What the inspect endpoints read: generated config, insights and who is connected. */
public record Inspection(SnapshotSync sync, DataplaneInsights insights, DataplaneLifecycle lifecycle) {}
