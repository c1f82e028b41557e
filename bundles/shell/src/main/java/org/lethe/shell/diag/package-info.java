/**
 * Why something is not up: bundles that did not resolve (with their missing requirements) and DS
 * components that are not satisfied (with the root cause, followed through the components that would
 * provide what is missing), for {@code unlearn:diag} and {@code unlearn:methods}.
 */
package org.lethe.shell.diag;
