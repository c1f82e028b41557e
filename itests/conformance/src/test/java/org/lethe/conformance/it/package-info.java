/**
 * The kit's own integration tests: the good fixture passes every check, and each bad fixture fails
 * exactly the check written for its fault. In a package of their own: the probe bundle imports the
 * kit's package from the kit bundle, so it cannot also hold classes of that package.
 */
package org.lethe.conformance.it;
