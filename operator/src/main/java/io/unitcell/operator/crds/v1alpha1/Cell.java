package io.unitcell.operator.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/** One cell: the order service for a share of a topology's slots, active in one zone. */
@Group("unitcell.io")
@Version("v1alpha1")
@AdditionalPrinterColumn(name = "Topology", jsonPath = ".spec.topology", type = Type.STRING)
@AdditionalPrinterColumn(name = "Zone", jsonPath = ".status.activeZone", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Slots", jsonPath = ".status.slots", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class Cell extends CustomResource<CellSpec, CellStatus> implements Namespaced {}
