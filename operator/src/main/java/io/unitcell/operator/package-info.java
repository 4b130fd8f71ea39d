/**
 * The Unitcell operator (Quarkus Operator SDK): reconciles Topology and Cell resources. {@code
 * crds.v1alpha1} holds the custom resources; {@code topology} the Topology reconciler, which plans
 * and publishes the routing table and runs the routers ({@code router}); {@code cell} the Cell
 * reconciler and the objects it owns; {@code table} the routing-table ConfigMap; {@code naming} the
 * names, labels and ports they share; {@code support} conditions, Events and leader election. What
 * it does and does not do yet: docs/operator.md.
 */
package io.unitcell.operator;
