/**
 * The ${method} method's conformance test: the Lethe conformance kit run on this bundle.
 */
package ${package}.it;
