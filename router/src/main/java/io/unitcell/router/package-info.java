/**
 * The router: sends each user's requests to the user's home cell (user, slot, cell, a healthy
 * endpoint of the cell's active zone). See docs/router.md.
 */
package io.unitcell.router;
