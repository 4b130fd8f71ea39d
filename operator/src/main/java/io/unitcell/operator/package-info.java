/**
 * Operator: reconciles Topology, Cell and Promotion resources (arrives with the operator issue).
 * See shared DESIGN.md.
 */
package io.unitcell.operator;
