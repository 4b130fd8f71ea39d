/**
 * Names, labels and ports of the objects the operator makes (cells, routers, the routing-table
 * ConfigMap), shared by reconcilers, dependents and tests. A leaf: depends on the CRD types only.
 */
package io.unitcell.operator.naming;
