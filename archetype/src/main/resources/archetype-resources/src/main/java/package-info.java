/**
 * The ${method} unlearning method, a Lethe method bundle. A leaf: it exports nothing, and the
 * container finds its one component by its {@code lethe.method} service property.
 */
package ${package};
