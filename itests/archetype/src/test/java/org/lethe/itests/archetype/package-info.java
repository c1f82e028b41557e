/**
 * The method archetype's end-to-end test: generate a method bundle, build it, run its conformance
 * test, and drop it into a running container.
 */
package org.lethe.itests.archetype;
