/**
 * Cell app: the Quarkus order service of one cell (arrives with the cell-app issue). See shared
 * DESIGN.md.
 */
package io.unitcell.cell;
