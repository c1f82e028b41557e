/** The registry: method services found by their {@code lethe.*} properties, with their configuration schemas. */
package org.lethe.core.registry;
