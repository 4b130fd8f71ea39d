/** Router: the user-hash reverse proxy (arrives with the router issue). See shared DESIGN.md. */
package io.unitcell.router;
