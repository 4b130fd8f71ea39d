package io.unitcell.local.platform;

import io.unitcell.infra.app.RouterProcess;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.state.LocalState;
import java.util.Map;

/**
 * The running platform's parts, as {@link Supervisor} started them: Vitess, a cache per cell, the
 * cell-app instances, the routing table, the router, its metrics and the cells' switchovers.
 */
record Platform(
    LocalState state,
    Manifests.Loaded manifest,
    int routerPort,
    VitessCluster vitess,
    Map<String, InfinispanServer> caches,
    Instances instances,
    Tables tables,
    RouterProcess router,
    RouterMetrics metrics,
    Switchovers switchovers) {}
